import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app/create-app.node.js'
import type { LogSink } from '../../src/log/preference-record.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { serve } from '../../src/server/serve.node.js'
import { startGateway, type Gateway } from './gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
let dir: string
let storePath: string
const gateways: Gateway[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bonbon-durable-gateway-'))
  storePath = join(dir, 'bonbon.db')
})

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close()
  await rm(dir, { recursive: true, force: true })
})

async function syncGateway(flushIntervalMs = 60_000): Promise<Gateway> {
  const log = { kind: 'sqlite', path: storePath, durability: 'sync', flushIntervalMs } as const
  const gateway = await startGateway({ config: { log } })
  gateways.push(gateway)
  return gateway
}

function storedIds(): string[] {
  const store = openSqliteStore(storePath)
  try {
    return [...store.readRecords()].map((record) => record.requestId).sort()
  } finally {
    store.close()
  }
}

async function ask(gateway: Gateway): Promise<string> {
  const { response } = await gateway.client.chat.completions.create({ model: 'simulated-model', messages }).withResponse()
  const id = response.headers.get('x-bonbon-request-id')
  if (id === null) throw new Error('the answer carries no x-bonbon-request-id')
  return id
}

describe("the gateway with log.durability 'sync'", () => {
  it('has the record of every answer in the store by the time the answer arrives', async () => {
    const gateway = await syncGateway()
    const ids = await Promise.all(Array.from({ length: 8 }, () => ask(gateway)))
    expect(storedIds()).toEqual(ids.sort())
  })

  it('keeps answering while the store refuses writes, spilling the records, and replays them once it recovers', async () => {
    const gateway = await syncGateway(50)
    const intruder = new DatabaseSync(storePath)
    const ids: string[] = []
    try {
      intruder.exec("CREATE TRIGGER full BEFORE INSERT ON requests BEGIN SELECT RAISE(ABORT, 'disk full'); END")
      ids.push(...(await Promise.all(Array.from({ length: 5 }, () => ask(gateway)))))
      expect(storedIds()).toEqual([])
      const spilled = (await readFile(`${storePath}.spill.jsonl`, 'utf8')).trim().split('\n')
      expect(spilled.map((line) => (JSON.parse(line) as { requestId: string }).requestId).sort()).toEqual(ids.sort())
      intruder.exec('DROP TRIGGER full')
    } finally {
      intruder.close()
    }
    // The store is retried on a backed-off timer, not by every write, so recovery shows within a few retries.
    ids.push(await ask(gateway))
    await vi.waitFor(() => expect(storedIds()).toEqual(ids.sort()), { timeout: 10_000, interval: 50 })
  })

  it('withholds the answer (500) when a durable sink cannot store its record', async () => {
    const failing: LogSink = {
      durable: true,
      write: () => Promise.reject(new Error('disk on fire')),
      flush: async () => undefined,
      close: async () => undefined,
    }
    const template = await syncGateway()
    const logErrors: unknown[] = []
    const bonbon = await createApp(
      {
        upstream: { kind: 'openai', baseURL: template.backend.url },
        reward: { kind: 'http', url: template.reward.scoreURL },
      },
      { env: {}, createLogSink: () => failing, onLogError: (error) => logErrors.push(error) },
    )
    const server = await serve(bonbon, { port: 0 })
    try {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'simulated-model', messages }),
      })
      expect(response.status).toBe(500)
      expect(await response.json()).toMatchObject({ error: { code: 'log_write_failed' } })
      expect(logErrors).toHaveLength(1)
    } finally {
      await server.close()
    }
  })
})
