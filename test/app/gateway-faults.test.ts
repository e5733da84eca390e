import OpenAI from 'openai'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { startGateway, type Gateway } from './gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
let gateway: Gateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

function post(body: Record<string, unknown>, init: RequestInit = {}) {
  return fetch(`${gateway?.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages, ...body }),
    ...init,
  })
}

/** Seeds 0–2 answer in a few tokens; seed 3 writes a long answer that outlasts any short deadline. */
const oneSlowAnswer = ({ seed }: { seed: number | undefined }) =>
  seed === 3 ? Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ') : `short answer ${seed}`

describe('the gateway under upstream faults', () => {
  it('retries a failed upstream call and answers', async () => {
    gateway = await startGateway({
      maxRetries: 2,
      backend: { faults: [{ kind: 'http-error', status: 503 }, { kind: 'drop' }] },
    })
    const completion = await gateway.client.chat.completions.create({ model: 'm', messages })
    expect(completion.choices[0]?.message.content).toBeTruthy()
    expect(gateway.backend.requests.filter((request) => request.method === 'POST')).toHaveLength(3)
  })

  it('chooses among the candidates finished at the deadline and cancels the rest', async () => {
    gateway = await startGateway({
      fanout: 'parallel',
      backend: { answer: oneSlowAnswer, tokenLatencyMs: 10 },
      config: { bestOfN: { n: 4, maxN: 8, deadlineMs: 600, minCandidates: 2 } },
    })
    const response = await post({ seed: 0, bonbon: { return_candidates: true } })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { bonbon: { candidates: { index: number; error: string | null }[] } }
    const failed = body.bonbon.candidates.filter((candidate) => candidate.error !== null)
    expect(failed.map((candidate) => candidate.index)).toEqual([3])
    expect(failed[0]?.error).toMatch(/Deadline of 600 ms/)
    const slow = gateway.backend.requests.find((request) => request.body['seed'] === 3)
    expect(await slow?.outcome).toBe('client-closed')
  })

  it('answers 504 when fewer than minCandidates are ready at the deadline', async () => {
    gateway = await startGateway({
      fanout: 'parallel',
      backend: { answer: oneSlowAnswer, tokenLatencyMs: 10 },
      config: { bestOfN: { n: 4, maxN: 8, deadlineMs: 600, minCandidates: 4 } },
    })
    const response = await post({ seed: 0 })
    expect(response.status).toBe(504)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('deadline_exceeded')
    expect(body.error.message).toMatch(/Only 3 of 4 candidates/)
  })

  it('aborts the upstream calls of a client that disconnects', async () => {
    gateway = await startGateway({ backend: { answer: oneSlowAnswer, tokenLatencyMs: 10 }, fanout: 'parallel' })
    const controller = new AbortController()
    const pending = post({ seed: 3 }, { signal: controller.signal }).catch((error: unknown) => error)
    while (gateway.backend.requests.length < 4) await new Promise((resolve) => setTimeout(resolve, 10))
    controller.abort()
    await pending
    const outcomes = await Promise.all(gateway.backend.requests.map((request) => request.outcome))
    expect(outcomes.filter((outcome) => outcome === 'client-closed').length).toBeGreaterThanOrEqual(1)
  })
})

describe('the gateway when its client goes away while scoring', () => {
  it('aborts the reward model call', async () => {
    // A scorer that never answers and notes when bonbon hangs up on it.
    let closed!: () => void
    const hungUp = new Promise<void>((resolve) => (closed = resolve))
    let received!: () => void
    const scoring = new Promise<void>((resolve) => (received = resolve))
    const scorer = createServer((request) => {
      received()
      request.socket.on('close', () => closed())
    })
    await new Promise<void>((resolve) => scorer.listen(0, '127.0.0.1', resolve))
    const { port } = scorer.address() as AddressInfo
    gateway = await startGateway({ config: { reward: { kind: 'http', url: `http://127.0.0.1:${port}/score`, maxRetries: 0 } } })
    const controller = new AbortController()
    const pending = post({}, { signal: controller.signal }).catch((error: unknown) => error)
    await scoring
    controller.abort()
    await pending
    await hungUp
    scorer.closeAllConnections()
    await new Promise((resolve) => scorer.close(resolve))
  })
})

describe('the gateway when the reward model fails', () => {
  it('answers with the first good candidate, marked degraded, when onFailure is first', async () => {
    gateway = await startGateway({
      reward: { fault: { kind: 'status', status: 500 } },
      rewardPolicy: { onFailure: 'first' },
    })
    const { data, response } = await gateway.client.chat.completions
      .create({ model: 'm', messages, seed: 1 })
      .withResponse()
    expect(response.headers.get('x-bonbon-degraded')).toBe('reward_model_failed')
    expect(response.headers.get('x-bonbon-chosen-index')).toBe('0')
    expect(data.choices[0]?.message.content).toBeTruthy()
    const health = (await (await fetch(`${gateway.url}/healthz`)).json()) as { counters: { degraded: number } }
    expect(health.counters.degraded).toBe(1)
    await gateway.restart()
    const store = openSqliteStore(gateway.storePath)
    try {
      const [record] = [...store.readRecords()]
      expect(record?.degraded).toMatch(/^reward_model_failed/)
      expect(record?.candidates.every((candidate) => candidate.reward === null)).toBe(true)
    } finally {
      store.close()
    }
  })

  it('answers 503 with a clear message when a scorer does not answer in time', async () => {
    gateway = await startGateway({ reward: { fault: { kind: 'hang' } }, rewardPolicy: { timeoutMs: 200 } })
    const error = await gateway.client.chat.completions
      .create({ model: 'm', messages }, { maxRetries: 0 })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503)
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/did not answer within 200 ms/)
    // The candidates were paid for: the request is logged all the same, with no choice.
    await gateway.restart()
    const store = openSqliteStore(gateway.storePath)
    try {
      const [record] = [...store.readRecords()]
      expect(record?.chosen).toBeNull()
      expect(record?.degraded).toMatch(/^failed: reward_model_error/)
      expect(record?.candidates.every((candidate) => candidate.text !== '')).toBe(true)
    } finally {
      store.close()
    }
  })
})
