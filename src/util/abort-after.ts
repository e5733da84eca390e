/** A signal that aborts after `ms` with the given reason, and a way to cancel the timer. */
export interface AbortTimer {
  readonly signal: AbortSignal
  /** Cancels the timer; the signal then never aborts. */
  clear(): void
}

/**
 * Aborts after `ms` with `reason()`. Unlike `AbortSignal.timeout`, the reason is the caller's (a
 * deadline is not retryable, a slow scorer is) and the timer can be cleared once the work is done.
 */
export function abortAfter(ms: number, reason: () => Error): AbortTimer {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(reason()), ms)
  return { signal: controller.signal, clear: () => clearTimeout(timer) }
}
