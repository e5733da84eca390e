import { RewardModelError, UpstreamError } from '../errors.js'

/** How a failed remote call is tried again. */
export interface RetryPolicy {
  /** Tries after the first one. @default 2 */
  readonly maxRetries: number
  /** The first back-off ceiling, doubled at every try, ms. @default 250 */
  readonly baseDelayMs: number
  /** The largest back-off, ms (a server's `Retry-After` may ask for more, up to the deadline). @default 4000 */
  readonly maxDelayMs: number
  /** Uniform draws in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number
}

/** The policy used when none is configured. */
export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4_000 }

/**
 * Whether trying again may help: a connection that failed or was reset (no status), 408, 409, 429
 * or 5xx, as each error's own `isRetryable` says.
 */
export function isRetryableError(error: unknown): boolean {
  if (UpstreamError.isInstance(error) || RewardModelError.isInstance(error)) return error.isRetryable
  return false
}

/**
 * Runs `attempt`, trying again after retryable failures with "full jitter" exponential back-off
 * (a uniform wait in [0, min(max, base·2ᵏ)], which spreads a burst of clients apart), or after the
 * server's `Retry-After` when it gave one. Waiting stops at once when `signal` aborts.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export async function retrying<T>(
  attempt: () => Promise<T>,
  options: { policy: RetryPolicy; signal?: AbortSignal | undefined; shouldRetry?: (error: unknown) => boolean },
): Promise<T> {
  const { policy, signal } = options
  const shouldRetry = options.shouldRetry ?? isRetryableError
  const random = policy.random ?? Math.random
  for (let tried = 0; ; tried += 1) {
    try {
      return await attempt()
    } catch (error) {
      if (tried >= policy.maxRetries || signal?.aborted || !shouldRetry(error)) throw error
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** tried)
      const retryAfterMs = UpstreamError.isInstance(error) ? (error.retryAfterSeconds ?? 0) * 1_000 : 0
      await sleep(Math.max(retryAfterMs, random() * ceiling), signal)
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
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
