import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openRecordSource } from '../../src/log/record-source.node.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedRequest } from '../../src/testing/simulated-backend.node.js'
import { defaultSimulatedAnswer } from '../../src/testing/simulated-completion.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { waitForD1Record } from './d1-fixture.js'
import { repoRoot, startDevWorker, wrangler, type DevWorker } from './wrangler-fixture.js'

// One Worker in workerd for the file: the optional Queue and R2 bucket declared, parallel fan-out,
// and a subrequest cap of 10 per request.
let backend: SimulatedBackend
let reward: SimulatedRewardServer
let worker: DevWorker
let client: OpenAI
let bucket: R2Like

const prefix = 'test-records/'
const baseConfig = {
  upstream: { kind: 'openai', fanout: 'parallel' },
  reward: { kind: 'http' },
  bestOfN: { n: 4, maxN: 16, heartbeatMs: 100 },
  log: { kind: 'queue', binding: 'LOG_QUEUE', consumer: { target: 'r2', binding: 'LOG_BUCKET', prefix } },
}
const vars = (log: object = baseConfig.log) => ({
  BONBON_CONFIG: JSON.stringify({
    ...baseConfig,
    upstream: { ...baseConfig.upstream, baseURL: backend.url },
    reward: { ...baseConfig.reward, url: reward.scoreURL },
    log,
  }),
  BONBON_MAX_SUBREQUESTS: '10',
})

// Completion calls in flight at the simulated backend, and the most seen at once.
const counted = new WeakSet<SimulatedRequest>()
let inFlight = 0
let mostInFlight = 0

beforeAll(async () => {
  backend = await startSimulatedBackend({
    // About 300 ms per answer, so the calls of one fan-out overlap.
    tokenLatencyMs: 20,
    answer: (input) => {
      for (const request of backend.requests) {
        if (counted.has(request) || request.method !== 'POST') continue
        counted.add(request)
        inFlight += 1
        mostInFlight = Math.max(mostInFlight, inFlight)
        void request.outcome.then(() => (inFlight -= 1))
      }
      return defaultSimulatedAnswer(input)
    },
  })
  reward = await startSimulatedRewardServer({ shape: 'http' })
  worker = await startDevWorker({ configPath: join(repoRoot, 'test/edge/wrangler.queue.toml'), vars: vars() })
  client = new OpenAI({ baseURL: `${worker.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  bucket = asR2((await worker.bindings())['LOG_BUCKET'])
}, 120_000)

afterAll(async () => {
  await worker?.dispose()
  await backend?.close()
  await reward?.close()
})

interface R2Like {
  list(options: { prefix: string }): Promise<{ objects: Array<{ key: string }> }>
  get(key: string): Promise<{ text(): Promise<string> } | null>
}

function asR2(value: unknown): R2Like {
  if (typeof value !== 'object' || value === null || !('list' in value) || !('get' in value)) {
    throw new TypeError('not an R2 binding')
  }
  return value as R2Like
}

/** Every line of every JSONL object under the prefix, in key order. */
async function bucketLines(): Promise<string[]> {
  const { objects } = await bucket.list({ prefix })
  const texts = await Promise.all(objects.map(async ({ key }) => (await bucket.get(key))?.text() ?? ''))
  return texts.join('').split('\n').filter((line) => line !== '')
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'simulated-model',
  messages: [{ role: 'user' as const, content }],
  ...extra,
})

describe('the log queue', () => {
  it('carries each record to R2 as JSONL, which openRecordSource reads back', async () => {
    const ids: string[] = []
    for (const content of ['Name a toffee.', 'Name a truffle.']) {
      const { response } = await client.chat.completions.create(ask(content, { seed: 5 })).withResponse()
      ids.push(response.headers.get('x-bonbon-request-id') ?? '')
    }
    const lines = await vi.waitFor(
      async () => {
        const found = await bucketLines()
        for (const id of ids) expect(found.some((line) => line.includes(id))).toBe(true)
        return found
      },
      { timeout: 20_000, interval: 200 },
    )
    const folder = await mkdtemp(join(tmpdir(), 'bonbon-r2-'))
    try {
      const file = join(folder, 'records.jsonl')
      await writeFile(file, `${lines.join('\n')}\n`)
      const store = openRecordSource(file)
      try {
        const records = [...store.readRecords()].filter((record) => ids.includes(record.requestId))
        expect(records).toHaveLength(2)
        for (const record of records) {
          expect(record).toMatchObject({ n: 4, fanout: 'parallel' })
          expect(record.candidates.every((candidate) => typeof candidate.reward === 'number')).toBe(true)
        }
      } finally {
        store.close()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('carries each record to D1 when the consumer targets D1', async () => {
    await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', worker.persistTo, '--config', worker.configPath])
    await worker.setVars(vars({ ...baseConfig.log, consumer: { target: 'd1', binding: 'DB' } }))
    try {
      const { response } = await client.chat.completions.create(ask('Name a fudge.', { seed: 9 })).withResponse()
      const record = await waitForD1Record((await worker.bindings())['DB'], response.headers.get('x-bonbon-request-id') ?? '')
      expect(record).toMatchObject({ n: 4, fanout: 'parallel' })
      expect(record.candidates).toHaveLength(4)
    } finally {
      await worker.setVars(vars())
    }
  }, 60_000)
})

describe('the per-request limits', () => {
  it('keeps at most 6 connections of one request open at once', async () => {
    mostInFlight = 0
    const { data, response } = await client.chat.completions.create(ask('Eight bonbons, please.', { seed: 40 }), {
      headers: { 'x-bonbon-n': '8' },
    }).withResponse()
    expect(response.headers.get('x-bonbon-n')).toBe('8')
    expect(data.choices).toHaveLength(1)
    expect(mostInFlight).toBe(6)
  })

  it('refuses the subrequest beyond the cap with an error naming BONBON_MAX_SUBREQUESTS', async () => {
    const before = backend.requests.length
    const response = await fetch(`${worker.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bonbon-n': '12' },
      body: JSON.stringify(ask('Twelve bonbons, please.', { seed: 60 })),
    })
    const body = (await response.json()) as { error: { message: string } }
    expect(response.status).toBe(503)
    expect(body.error.message).toContain('BONBON_MAX_SUBREQUESTS')
    // Ten calls went out (the cap); the other two candidates and the scoring call were refused unsent.
    expect(backend.requests.length - before).toBe(10)
  })
})
