import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulatedBackend, type SimulatedBackend } from '../../src/testing/simulated-backend.node.js'
import { startDevWorker, type DevWorker } from './wrangler-fixture.js'

// One Worker in workerd whose vars are swapped between tests (each swap reloads the isolate).
let backend: SimulatedBackend
let worker: DevWorker

beforeAll(async () => {
  backend = await startSimulatedBackend()
  worker = await startDevWorker({ vars: { BONBON_CONFIG: '{"upstream": {' } })
}, 60_000)

afterAll(async () => {
  await worker?.dispose()
  await backend?.close()
})

const valid = () => ({
  upstream: { kind: 'openai', baseURL: backend.url },
  reward: { kind: 'http', url: 'http://127.0.0.1:9/score' },
  log: { kind: 'none' },
})

async function errorOf(path: string, init?: RequestInit) {
  const response = await fetch(`${worker.url}${path}`, init)
  return { status: response.status, body: (await response.json()) as { error: { message: string; type: string; code: string } } }
}

const chat = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
}

describe('a Worker whose configuration cannot be used', () => {
  it('answers every request with an OpenAI-shaped 500 saying BONBON_CONFIG is not JSON', async () => {
    for (const [path, init] of [['/healthz', undefined], ['/v1/chat/completions', chat]] as const) {
      const { status, body } = await errorOf(path, init)
      expect(status).toBe(500)
      expect(body.error).toMatchObject({ type: 'server_error', code: 'invalid_options' })
      expect(body.error.message).toMatch(/^The Worker var BONBON_CONFIG is not valid JSON/)
    }
  })

  it('refuses a replay upstream, saying Workers have no file system', async () => {
    await worker.setVars({ BONBON_CONFIG: JSON.stringify({ ...valid(), upstream: { kind: 'replay', file: 'pool.jsonl' } }) })
    const { status, body } = await errorOf('/v1/chat/completions', chat)
    expect(status).toBe(500)
    expect(body.error.message).toContain('upstream kind "replay" reads its pool from a file, and Cloudflare Workers have no file system')
  })

  it('names the wrangler.toml table of a log binding that does not exist', async () => {
    await worker.setVars({ BONBON_CONFIG: JSON.stringify({ ...valid(), log: { kind: 'd1', binding: 'LOGS' } }) })
    const { body } = await errorOf('/healthz')
    expect(body.error.message).toBe('The D1 binding LOGS is missing: declare it under [[d1_databases]] in wrangler.toml.')
  })

  it('serves again once the configuration is fixed', async () => {
    await worker.setVars({ BONBON_CONFIG: JSON.stringify(valid()) })
    const response = await fetch(`${worker.url}/v1/models`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ object: 'list', data: [{ id: 'simulated-model' }] })
  })
})
