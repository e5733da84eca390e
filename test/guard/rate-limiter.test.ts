import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import { createRateLimiter } from '../../src/guard/rate-limiter.js'

function manualClock(start = 0) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) }
}

describe('createRateLimiter', () => {
  it('lets a burst through, then one request per refill interval', () => {
    const clock = manualClock()
    const limiter = createRateLimiter({ requestsPerMinute: 60, burst: 3, now: clock.now })
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true])
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 })
    clock.advance(1_000)
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)
  })

  it('says how many whole seconds until the next token, rounded up', () => {
    const clock = manualClock()
    const limiter = createRateLimiter({ requestsPerMinute: 4, burst: 1, now: clock.now })
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 15 })
    clock.advance(14_001)
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 })
  })

  it('refills no further than the burst after a long quiet spell', () => {
    const clock = manualClock()
    const limiter = createRateLimiter({ requestsPerMinute: 60, burst: 2, now: clock.now })
    limiter.take('a')
    clock.advance(3_600_000)
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false])
  })

  it('defaults the burst to a minute of requests', () => {
    const limiter = createRateLimiter({ requestsPerMinute: 5, now: () => 0 })
    expect(Array.from({ length: 6 }, () => limiter.take('a').allowed)).toEqual([true, true, true, true, true, false])
  })

  it('keeps one bucket per client', () => {
    const limiter = createRateLimiter({ requestsPerMinute: 1, now: () => 0 })
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)
    expect(limiter.take('b').allowed).toBe(true)
  })

  it('does not drain a bucket when the clock steps back', () => {
    const clock = manualClock(10_000)
    const limiter = createRateLimiter({ requestsPerMinute: 60, burst: 1, now: clock.now })
    expect(limiter.take('a').allowed).toBe(true)
    clock.set(0)
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 })
    clock.set(1_000)
    expect(limiter.take('a').allowed).toBe(true)
  })

  it('remembers at most maxClients clients, forgetting the least recently seen', () => {
    const limiter = createRateLimiter({ requestsPerMinute: 1, maxClients: 2, now: () => 0 })
    limiter.take('a')
    limiter.take('b')
    limiter.take('c')
    // `a` was forgotten, so it comes back with a full bucket; `c` was not.
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('c').allowed).toBe(false)
  })

  it('refuses a rate that is not a positive integer', () => {
    expect(() => createRateLimiter({ requestsPerMinute: 0 })).toThrow(InvalidOptionsError)
    expect(() => createRateLimiter({ requestsPerMinute: 10, burst: 1.5 })).toThrow(/limits.burst/)
  })
})
