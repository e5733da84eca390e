import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidRequestError, UpstreamError } from '../../src/errors.js'
import { retrying } from '../../src/generate/retry.js'

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 }

describe('retrying', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('tries again after a retryable failure and returns the first success', async () => {
    const attempt = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new UpstreamError('reset'))
      .mockRejectedValueOnce(new UpstreamError('busy', { status: 503 }))
      .mockResolvedValue('ok')
    const result = retrying(attempt, { policy })
    await vi.runAllTimersAsync()
    await expect(result).resolves.toBe('ok')
    expect(attempt).toHaveBeenCalledTimes(3)
  })

  it('backs off exponentially with jitter, capped at maxDelayMs', async () => {
    const attempt = vi.fn<() => Promise<string>>().mockRejectedValue(new UpstreamError('down', { status: 500 }))
    const result = retrying(attempt, { policy }).catch((error: unknown) => error)
    // random 0.5: waits of 50, 100 and 200 ms (half of 100·2ᵏ).
    await vi.advanceTimersByTimeAsync(49)
    expect(attempt).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(attempt).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(100)
    expect(attempt).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(200)
    expect(attempt).toHaveBeenCalledTimes(4)
    expect(UpstreamError.isInstance(await result)).toBe(true)
  })

  it("honours the server's Retry-After", async () => {
    const attempt = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new UpstreamError('slow down', { status: 429, retryAfterSeconds: 2 }))
      .mockResolvedValue('ok')
    const result = retrying(attempt, { policy })
    await vi.advanceTimersByTimeAsync(1_999)
    expect(attempt).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    await expect(result).resolves.toBe('ok')
  })

  it('gives up at once when the server asks for a longer wait than maxRetryAfterMs', async () => {
    const limited = new UpstreamError('come back in an hour', { status: 429, retryAfterSeconds: 3_600 })
    const attempt = vi.fn<() => Promise<string>>().mockRejectedValueOnce(limited).mockResolvedValue('ok')
    await expect(retrying(attempt, { policy: { ...policy, maxRetryAfterMs: 30_000 } })).rejects.toBe(limited)
    expect(attempt).toHaveBeenCalledTimes(1)
  })

  it('does not retry a client error', async () => {
    const attempt = vi.fn<() => Promise<string>>().mockRejectedValue(new UpstreamError('bad', { status: 400 }))
    await expect(retrying(attempt, { policy })).rejects.toThrow('bad')
    expect(attempt).toHaveBeenCalledTimes(1)
    const invalid = vi.fn<() => Promise<string>>().mockRejectedValue(new InvalidRequestError('no'))
    await expect(retrying(invalid, { policy })).rejects.toThrow('no')
    expect(invalid).toHaveBeenCalledTimes(1)
  })

  it('stops waiting as soon as the signal aborts', async () => {
    const controller = new AbortController()
    const attempt = vi.fn<() => Promise<string>>().mockRejectedValue(new UpstreamError('down', { status: 500 }))
    const result = retrying(attempt, { policy, signal: controller.signal }).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10)
    controller.abort(new Error('client gone'))
    expect(await result).toEqual(new Error('client gone'))
    expect(attempt).toHaveBeenCalledTimes(1)
  })
})
