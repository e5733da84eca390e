/**
 * Retries with exponential backoff for the paid calls of an audit. A call is retried when its error
 * says it may succeed later (`isRetryable`: no response, 408, 409, 429, 5xx), after the server's
 * `Retry-After` when it gave one.
 * @module
 */

/** Options of {@link withRetries}. */
export interface RetryOptions {
  /** Retries after the first attempt. */
  readonly maxRetries: number
  /** Wait before the first retry, doubled for each further one, ms. */
  readonly baseDelayMs: number
  /** Longest single wait, `Retry-After` included, ms. */
  readonly maxDelayMs: number
  /** Waits `ms`, rejecting with the signal's reason when it aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Stops retrying (and waiting) when aborted. */
  readonly signal?: AbortSignal | undefined
}

/** Calls `call` until it succeeds, fails for good, or runs out of retries; rethrows the last error. */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason
      if (attempt >= options.maxRetries || !isRetryable(error)) throw error
      const asked = retryAfterSeconds(error)
      const backoff = options.baseDelayMs * 2 ** attempt
      await options.sleep(Math.min(options.maxDelayMs, asked === undefined ? backoff : asked * 1000), options.signal)
    }
  }
}

/** A timer-based sleep (Web APIs only) that an abort cuts short. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'isRetryable' in error && error.isRetryable === true
}

function retryAfterSeconds(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('retryAfterSeconds' in error)) return undefined
  const value = error.retryAfterSeconds
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined
}
