import { describe, expect, it } from 'vitest'
import { InvalidOptionsError, InvalidRequestError, RateLimitError } from '../../src/errors.js'
import { createGuard } from '../../src/guard/create-guard.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import { makeRecord } from '../log/preference-record-fixture.js'

const chat = (body: Record<string, unknown> = {}, headerN?: string) =>
  parseRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }, { endpoint: 'chat', headerN })
const headers = (entries: Record<string, string> = {}) => new Headers(entries)

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('createGuard', () => {
  it('tells clients apart by address without keys, and shares one limit without either', async () => {
    const guard = createGuard({ limits: { requestsPerMinute: 1 }, now: () => 0 })
    expect((await guard.check({ headers: headers(), address: '10.0.0.1' })).client).toBe('ip:10.0.0.1')
    expect((await guard.check({ headers: headers(), address: '10.0.0.2' })).client).toBe('ip:10.0.0.2')
    expect((await guard.check({ headers: headers() })).client).toBe('anonymous')
    await expect(guard.check({ headers: headers() })).rejects.toSatisfy(RateLimitError.isInstance)
  })

  it('honours x-bonbon-log: off only when opting out is allowed', async () => {
    const off = headers({ 'x-bonbon-log': ' Off ' })
    expect((await createGuard().check({ headers: off })).logOptOut).toBe(true)
    expect((await createGuard({ allowOptOut: false }).check({ headers: off })).logOptOut).toBe(false)
    expect((await createGuard().check({ headers: headers({ 'x-bonbon-log': 'on' }) })).logOptOut).toBe(false)
  })

  it.each(['no', 'false', '0', 'off,off'])('refuses x-bonbon-log: %s rather than logging a client that meant to opt out', async (value) => {
    const checked = createGuard().check({ headers: headers({ 'x-bonbon-log': value }) })
    await expect(checked).rejects.toSatisfy(InvalidRequestError.isInstance)
    await expect(checked).rejects.toMatchObject({ param: 'x-bonbon-log', message: 'Header x-bonbon-log must be "off" or "on".' })
  })

  it('keeps no record for an opted-out request, and a redacted one with redact', async () => {
    const record = makeRecord({ messages: [{ role: 'user', content: 'mail me at a@example.com' }] })
    const plain = createGuard()
    const optedOut = plain.admit({ client: 'c', logOptOut: true }, chat(), 4)
    expect(optedOut.record?.(record)).toBeUndefined()
    expect(plain.admit({ client: 'c', logOptOut: false }, chat(), 4).record).toBeUndefined()
    const redacting = createGuard({ redact: true }).admit({ client: 'c', logOptOut: false }, chat(), 4)
    expect(redacting.record?.(record)?.messages[0]?.content).toBe('mail me at [email]')
  })

  it('sets max_tokens to the cap when the request sets no limit, and leaves a lower one', () => {
    const guard = createGuard({ limits: { maxTokens: 100 } })
    const pass = { client: 'c', logOptOut: false }
    expect(guard.admit(pass, chat(), 4).request.upstreamBody['max_tokens']).toBe(100)
    expect(guard.admit(pass, chat({ max_tokens: 10 }), 4).request.upstreamBody['max_tokens']).toBe(10)
    const completion = guard.admit(pass, chat({ max_completion_tokens: 50 }), 4).request.upstreamBody
    expect(completion).toMatchObject({ max_completion_tokens: 50 })
    expect(completion).not.toHaveProperty('max_tokens')
    const error = thrown(() => guard.admit(pass, chat({ max_tokens: 101 }), 4))
    expect(InvalidRequestError.isInstance(error) && error.param).toBe('max_tokens')
  })

  it('reserves fan-out per client until released, once', () => {
    const guard = createGuard({ limits: { maxConcurrentFanout: 6, maxN: 6 } })
    const a = { client: 'a', logOptOut: false }
    const first = guard.admit(a, chat(), 4)
    const error = thrown(() => guard.admit(a, chat(), 4))
    expect(RateLimitError.isInstance(error) && [error.code, error.retryAfterSeconds]).toEqual(['concurrency_limit_exceeded', 1])
    expect(guard.admit({ client: 'b', logOptOut: false }, chat(), 4)).toBeDefined()
    const second = guard.admit(a, chat(), 2)
    first.release()
    first.release()
    second.release()
    expect(guard.admit(a, chat(), 6)).toBeDefined()
  })

  it('refuses limits that contradict each other or the gateway fan-out', () => {
    expect(() => createGuard({ limits: { burst: 5 } })).toThrow(/limits.burst needs/)
    expect(() => createGuard({ limits: { maxN: 2 }, fanout: { n: 4, maxN: 16 } })).toThrow(InvalidOptionsError)
    expect(() => createGuard({ limits: { maxConcurrentFanout: 8 }, fanout: { n: 4, maxN: 16 } })).toThrow(
      /maxConcurrentFanout \(8\) must be at least the largest fan-out a request may ask for \(16\)/,
    )
    expect(() => createGuard({ limits: { maxConcurrentFanout: 8, maxN: 8 }, fanout: { n: 4, maxN: 16 } })).not.toThrow()
    expect(() => createGuard({ limits: { maxTokens: 0 } })).toThrow(/limits.maxTokens/)
  })
})
