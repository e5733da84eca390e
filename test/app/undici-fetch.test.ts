import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/create-app.node.js'
import { createUndiciFetch, type UndiciFetch } from '../../src/app/undici-fetch.node.js'
import { UpstreamError } from '../../src/errors.js'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import { startSimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { startRecordedUpstream, type RecordedUpstream } from '../respond/recorded-upstream-fixture.js'
import { chatRequest, closeBackendsAfterEach, noRetry, startUpstream } from '../generate/simulated-upstream-fixture.js'

closeBackendsAfterEach()

/** An answer of some 20 kB: its stream is well past a 4 kB cap. */
const longAnswer = () => 'caramel '.repeat(2_500)

describe('createUndiciFetch', () => {
  const pools: UndiciFetch[] = []
  const pool = (options?: Parameters<typeof createUndiciFetch>[0]) => {
    const created = createUndiciFetch(options)
    pools.push(created)
    return created
  }
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((created) => created.close()))
  })

  it('caps a streamed body as it caps a buffered one', async () => {
    const upstream = await startUpstream({ answer: longAnswer })
    const fetch = pool({ maxResponseBytes: 4_096 })
    const response = await fetch(`${upstream.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    })
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
    const failure = await response.text().catch((error: unknown) => error)
    expect(UpstreamError.isInstance(failure)).toBe(true)
    expect(String((failure as Error).message)).toMatch(/exceeds 4096 bytes; refusing to read more of it/)
  })

  it('caps a buffered body: the call fails once the bytes read pass the cap, and a body under it comes whole', async () => {
    const upstream = await startUpstream({ answer: longAnswer })
    const call = (fetch: UndiciFetch) =>
      fetch(`${upstream.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sim', messages: [{ role: 'user', content: 'hi' }] }),
      })
    const failure = await call(pool({ maxResponseBytes: 4_096 })).catch((error: unknown) => error)
    expect(UpstreamError.isInstance(failure)).toBe(true)
    expect(String((failure as Error).message)).toMatch(/exceeds 4096 bytes; refusing to buffer it/)
    const whole = (await (await call(pool())).json()) as { choices: { message: { content: string } }[] }
    expect(whole.choices[0]?.message.content).toBe(longAnswer())
  })

  it('fails the candidates of a runaway stream, and lets a stream under the cap through', async () => {
    const upstream = await startUpstream({ answer: longAnswer })
    const capped = createOpenAICompatibleBackend({
      baseURL: upstream.url,
      fanout: 'native',
      stream: true,
      retry: noRetry,
      fetch: pool({ maxResponseBytes: 4_096 }),
    })
    const result = await capped.generate({ request: chatRequest(), n: 2 })
    expect(result.candidates.map((candidate) => candidate.error)).toEqual([
      expect.stringMatching(/exceeds 4096 bytes/),
      expect.stringMatching(/exceeds 4096 bytes/),
    ])

    const roomy = createOpenAICompatibleBackend({ baseURL: upstream.url, fanout: 'native', stream: true, retry: noRetry, fetch: pool() })
    const whole = await roomy.generate({ request: chatRequest(), n: 2 })
    expect(whole.candidates.map((candidate) => candidate.text)).toEqual([longAnswer(), longAnswer()])
  })

  it('closes its connection pool on close(): later calls reject', async () => {
    const upstream = await startUpstream()
    const fetch = pool()
    expect((await fetch(`${upstream.url}/models`)).status).toBe(200)
    await fetch.close()
    await expect(fetch(`${upstream.url}/models`)).rejects.toThrow()
  })
})

describe('the Node app', () => {
  let upstream: RecordedUpstream | undefined
  afterEach(async () => {
    await upstream?.close()
    upstream = undefined
  })

  it('closes the upstream connections it keeps alive when it is closed', { timeout: 10_000 }, async () => {
    upstream = await startRecordedUpstream(() => ({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Caramel.' }, finish_reason: 'stop' }],
    }))
    const reward = await startSimulatedRewardServer({ shape: 'http' })
    const bonbon = await createApp(
      {
        upstream: { kind: 'openai', baseURL: upstream.url, fanout: 'parallel', maxRetries: 0 },
        reward: { kind: 'http', url: reward.scoreURL, maxRetries: 0 },
        bestOfN: { n: 2, maxN: 4 },
        log: { kind: 'none' },
      },
      { env: {} },
    )
    const response = await bonbon.app.fetch(
      new Request('http://gateway/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Name a colour.' }] }),
      }),
    )
    expect(response.status).toBe(200)
    const sockets = [...upstream.openSockets]
    expect(sockets.length).toBeGreaterThan(0)

    await bonbon.close()
    // The upstream never closes an idle connection itself: only the gateway letting go ends these.
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))))
    expect(upstream.openSockets.size).toBe(0)
    await reward.close()
  })
})
