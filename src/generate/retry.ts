import { RewardModelError, UpstreamError } from '../errors.js'

/** How a failed remote call is tried again. */
export interface RetryPolicy {
  /** Tries after the first one. @default 2 */
  readonly maxRetries: number
  /** The first back-off ceiling, doubled at every try, ms. @default 250 */
  readonly baseDelayMs: number
  /** The largest back-off, ms (a server's `Retry-After` may ask for more, up to `maxRetryAfterMs`). @default 4000 */
  readonly maxDelayMs: number
  /** Uniform draws in [0, 1) for the jitter; `() => 1` waits the whole ceiling. @default Math.random */
  readonly random?: () => number
  /**
   * The longest wait a server's `Retry-After` may ask for, ms. A longer ask is not waited for: the
   * failure goes to the caller at once, `Retry-After` and all, since trying sooner than the server
   * said would fail again. Without a cap a `Retry-After: 3600` would hold the request for an hour.
   * @default 30000
   */
  readonly maxRetryAfterMs?: number
}

/**
 * The cap on a `Retry-After` wait when the policy sets none, ms: a rate limiter's usual ask fits, and
 * two capped waits still fit in the gateway's default 120 s deadline.
 */
export const defaultMaxRetryAfterMs = 30_000

/** The policy used when none is configured. */
export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4_000 }

/**
 * Whether trying again may help: a connection that failed or was reset (no status), 408, 409, 429
 * or 5xx, as each error's own `isRetryable` says (upstream, reward model, or any error that says so).
 */
export function isRetryableError(error: unknown): boolean {
  if (UpstreamError.isInstance(error) || RewardModelError.isInstance(error)) return error.isRetryable
  return typeof error === 'object' && error !== null && 'isRetryable' in error && error.isRetryable === true
}

/** Waits `ms`, rejecting with the signal's reason as soon as it aborts. */
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

/**
 * Runs `attempt`, trying again after retryable failures with "full jitter" exponential back-off
 * (a uniform wait in [0, min(max, base·2ᵏ)], which spreads a burst of clients apart), or after the
 * server's `Retry-After` when it gave one. Waiting stops at once when `signal` aborts.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export async function retrying<T>(
  attempt: () => Promise<T>,
  options: {
    policy: RetryPolicy
    signal?: AbortSignal | undefined
    shouldRetry?: (error: unknown) => boolean
    /** Waits between tries; injectable for tests. @default abortableSleep */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  },
): Promise<T> {
  const { policy, signal } = options
  const shouldRetry = options.shouldRetry ?? isRetryableError
  const sleep = options.sleep ?? abortableSleep
  const random = policy.random ?? Math.random
  for (let tried = 0; ; tried += 1) {
    try {
      return await attempt()
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      if (tried >= policy.maxRetries || !shouldRetry(error)) throw error
      const retryAfterMs = retryAfterSecondsOf(error) * 1_000
      if (retryAfterMs > (policy.maxRetryAfterMs ?? defaultMaxRetryAfterMs)) throw error
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** tried)
      await sleep(Math.max(retryAfterMs, random() * ceiling), signal)
    }
  }
}

function retryAfterSecondsOf(error: unknown): number {
  if (typeof error !== 'object' || error === null || !('retryAfterSeconds' in error)) return 0
  const value = error.retryAfterSeconds
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0
}

/**
 * The policy of an audit's paid calls: plain doubling (one client, no burst to spread, so no
 * jitter), with `Retry-After` honoured up to 10 minutes: an audit is a batch job, better late
 * than failed.
 */
export function auditRetryPolicy(limits: Pick<RetryPolicy, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs'>): RetryPolicy {
  return { ...limits, random: () => 1, maxRetryAfterMs: 600_000 }
}
