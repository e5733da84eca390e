import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRecordSource } from '../../src/log/record-source.node.js'
import { startSimulatedBackend, type SimulatedBackend } from '../../src/testing/simulated-backend.node.js'
import { defaultSimulatedAnswer } from '../../src/testing/simulated-completion.js'
import {
  defaultSimulatedRewardScore,
  startSimulatedRewardServer,
  type SimulatedRewardServer,
} from '../../src/testing/simulated-reward-server.node.js'
import { waitForD1Record } from './d1-fixture.js'
import { startDevWorker, stateProject, wrangler, type DevWorker } from './wrangler-fixture.js'

// One Worker in workerd for the whole file, started the way `wrangler dev` starts it, from the
// repository's wrangler.toml, against simulated servers on loopback, with a local D1.
let backend: SimulatedBackend
let reward: SimulatedRewardServer
let worker: DevWorker
let client: OpenAI
let database: unknown
let beforeMigrations: { status: number; body: unknown }

/** A long answer for prompts that ask for one, so a generation is still running when the client leaves. */
const longAnswer = 'word '.repeat(4_000)

beforeAll(async () => {
  backend = await startSimulatedBackend({
    tokenLatencyMs: 1,
    answer: (input) => (input.prompt.includes('[long]') ? longAnswer : defaultSimulatedAnswer(input)),
  })
  reward = await startSimulatedRewardServer({
    shape: 'http',
    // Slow scoring for prompts marked [slow], so a streamed answer is still being chosen for a while.
    fault: (request) => (JSON.stringify(request.body).includes('[slow]') ? { kind: 'delay', ms: 600 } : undefined),
  })
  const config = {
    upstream: { kind: 'openai', baseURL: backend.url, fanout: 'native' },
    reward: { kind: 'http', url: reward.scoreURL },
    bestOfN: { n: 4, maxN: 8, heartbeatMs: 100 },
    log: { kind: 'd1', binding: 'DB' },
  }
  worker = await startDevWorker({ vars: { BONBON_CONFIG: JSON.stringify(config) } })
  const probe = await fetch(`${worker.url}/healthz`)
  beforeMigrations = { status: probe.status, body: await probe.json() }
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', worker.persistTo])
  client = new OpenAI({ baseURL: `${worker.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  database = (await worker.bindings())['DB']
}, 120_000)

afterAll(async () => {
  await worker?.dispose()
  await backend?.close()
  await reward?.close()
})

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'simulated-model',
  messages: [{ role: 'user' as const, content }],
  ...extra,
})

describe('the Worker in workerd', () => {
  it('answers every request with a 500 naming `wrangler d1 migrations apply` while the D1 schema is missing', () => {
    expect(beforeMigrations.status).toBe(500)
    expect(beforeMigrations.body).toMatchObject({
      error: { type: 'server_error', code: 'log_schema_missing', message: expect.stringContaining('wrangler d1 migrations apply DB') },
    })
  })

  it('serves once the migrations are applied, without a restart', async () => {
    const response = await fetch(`${worker.url}/healthz`)
    expect(response.status).toBe(200)
  })

  it('answers with the best of 4 candidates and stores the scored set in D1', async () => {
    const prompt = 'Name a sweet from Lyon.'
    const { data, response } = await client.chat.completions.create(ask(prompt, { seed: 7 })).withResponse()
    const requestId = response.headers.get('x-bonbon-request-id') ?? ''
    expect(response.headers.get('x-bonbon-n')).toBe('4')

    const record = await waitForD1Record(database, requestId)
    expect(record).toMatchObject({ n: 4, fanout: 'native', endpoint: 'chat', model: 'simulated-model' })
    expect(record.candidates).toHaveLength(4)
    const expected = record.candidates.map((candidate) => defaultSimulatedRewardScore(prompt, candidate.text))
    expect(record.candidates.map((candidate) => candidate.reward)).toEqual(expected)
    const best = expected.indexOf(Math.max(...expected))
    expect(record.chosen).toBe(best)
    expect(response.headers.get('x-bonbon-chosen-index')).toBe(String(best))
    expect(data.choices[0]?.message.content).toBe(record.candidates[best]?.text)
  })

  it('streams the winner after heartbeat comments while the candidates are scored', async () => {
    const prompt = 'Describe a praline. [slow]'
    const response = await fetch(`${worker.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask(prompt, { stream: true, seed: 11 })),
    })
    const text = await response.text()
    const beforeData = text.slice(0, text.indexOf('data:'))
    expect(beforeData).toContain(': heartbeat')
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)

    const record = await waitForD1Record(database, response.headers.get('x-bonbon-request-id') ?? '')
    const streamed = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
      .join('')
    expect(streamed).toBe(record.candidates[record.chosen ?? -1]?.text)
  })

  it('streams through the openai client the same answer it logs', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ ...ask('Describe a bonbon.', { seed: 3 }), stream: true })
      .withResponse()
    let content = ''
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? ''
    const requestId = response.headers.get('x-bonbon-request-id') ?? ''
    const record = await waitForD1Record(database, requestId)
    expect(content).toBe(record.candidates[record.chosen ?? -1]?.text)
  })

  it('sends only candidates it has not scored before to the reward model', async () => {
    const prompt = 'List three caramels.'
    await client.chat.completions.create(ask(prompt, { seed: 100 }))
    const before = reward.requests.length
    // Seeds 102..105: the answers of 102 and 103 were scored in the first request.
    await client.chat.completions.create(ask(prompt, { seed: 102 }))
    const calls = reward.requests.slice(before)
    expect(calls).toHaveLength(1)
    const scored = (calls[0]?.body as { candidates: string[] }).candidates
    const answer = (seed: number) =>
      defaultSimulatedAnswer({ prompt, index: 0, seed, call: 0, endpoint: 'chat', body: {} })
    expect(scored).toEqual([answer(104), answer(105)])
  })

  it('cancels the upstream generation when a streaming client disconnects', async () => {
    const controller = new AbortController()
    const response = await fetch(`${worker.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask('Write an epic about nougat. [long]', { stream: true })),
      signal: controller.signal,
    })
    const reader = response.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain(': bonbon: choosing the best answer')
    const upstream = backend.requests.find((request) => request.rawBody.includes('[long]'))
    expect(upstream).toBeDefined()
    controller.abort()
    await reader.cancel().catch(() => undefined)
    // Without the cancellation the simulated server would finish its answer ('completed').
    await expect(upstream!.outcome).resolves.toBe('client-closed')
  })

  it('exports the D1 log with `wrangler d1 export`, which openRecordSource reads back', async () => {
    const { response } = await client.chat.completions.create(ask('Which chocolate is darkest?', { seed: 21 })).withResponse()
    const requestId = response.headers.get('x-bonbon-request-id') ?? ''
    const stored = await waitForD1Record(database, requestId)

    const folder = await mkdtemp(join(tmpdir(), 'bonbon-d1-export-'))
    try {
      const output = join(folder, 'bonbon.sql')
      await wrangler(['d1', 'export', 'DB', '--local', '--output', output], await stateProject(worker))
      const store = openRecordSource(output)
      try {
        const records = [...store.readRecords()]
        expect(records.find((record) => record.requestId === requestId)).toEqual(stored)
        expect(store.count()).toBe(records.length)
      } finally {
        store.close()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
