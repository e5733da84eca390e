import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../src/errors.js'
import { callUpstream, parseRetryAfter } from '../../src/generate/upstream-call.js'
import { closeBackendsAfterEach, startUpstream } from './simulated-upstream-fixture.js'

closeBackendsAfterEach()

describe('callUpstream', () => {
  it('carries the status, body and Retry-After of a 429 in its UpstreamError', async () => {
    const upstream = await startUpstream({ faults: [{ kind: 'http-error', status: 429, retryAfter: 7 }] })
    const failure = await callUpstream({
      fetch: globalThis.fetch,
      url: `${upstream.url}/chat/completions`,
      headers: { 'content-type': 'application/json' },
      body: { model: 'sim', messages: [{ role: 'user', content: 'hi' }] },
      stream: false,
      endpoint: 'chat',
      now: () => 0,
      secrets: [],
    }).catch((error: unknown) => error)
    expect(UpstreamError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({
      status: 429,
      retryAfterSeconds: 7,
      isRetryable: true,
      url: `${upstream.url}/chat/completions`,
      responseBody: expect.stringContaining('rate_limit_exceeded'),
    })
  })

  it('reads a JSON answer to a streamed request as a plain completion', async () => {
    const upstream = await startUpstream()
    const reply = await callUpstream({
      fetch: globalThis.fetch,
      url: `${upstream.url}/chat/completions`,
      headers: { 'content-type': 'application/json' },
      // The server is not asked to stream, as if it ignored `stream: true`.
      body: { model: 'sim', messages: [{ role: 'user', content: 'hi' }], n: 2 },
      stream: true,
      endpoint: 'chat',
      now: () => 0,
      secrets: [],
    })
    expect(reply.choices.map((choice) => choice.index)).toEqual([0, 1])
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('12')).toBe(12)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })

  it('cuts an absurd wait at a day, so it stays an integer a client can read', () => {
    expect(parseRetryAfter('1'.repeat(400))).toBe(86_400)
    expect(parseRetryAfter('99999999999999999999999')).toBe(86_400)
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(86_400)
  })
})
