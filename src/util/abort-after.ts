import { InvalidOptionsError } from '../errors.js'

/** Longest wait a timer can hold, ms: past 2³¹−1, `setTimeout` fires at once. */
export const maxTimerMs = 2_147_483_647

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

/**
 * Checks a timer option (a deadline, a timeout): a positive finite number of ms that `setTimeout`
 * can hold.
 * @throws InvalidOptionsError naming `${owner} option ${key}`.
 */
export function checkTimerMs(value: unknown, owner: string, key: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > maxTimerMs) {
    throw new InvalidOptionsError(
      `${owner} option ${key} must be a positive finite number of ms, at most ${maxTimerMs}; got ${String(value)}.`,
      { key },
    )
  }
}

/** A signal that aborts when either given one does, and the way to stop following them. */
export interface EitherSignal {
  readonly signal: AbortSignal | undefined
  /** Stops following the two signals; call it once the work they guard is done. */
  release(): void
}

/**
 * A signal that aborts, with its reason, when either signal does. What `AbortSignal.any` gives,
 * without its weak references and the cost of following a composite signal at every listener
 * added, which every upstream and scoring call pays.
 */
export function eitherSignal(first: AbortSignal | undefined, second: AbortSignal | undefined): EitherSignal {
  if (first === undefined || second === undefined || first.aborted || second.aborted) {
    const signal = first?.aborted ? first : second?.aborted ? second : (first ?? second)
    return { signal, release: () => {} }
  }
  const controller = new AbortController()
  const release = () => {
    first.removeEventListener('abort', onAbort)
    second.removeEventListener('abort', onAbort)
  }
  // Runs once, at the first abort: the listeners go with it.
  const onAbort = () => {
    release()
    controller.abort(first.aborted ? first.reason : second.reason)
  }
  first.addEventListener('abort', onAbort)
  second.addEventListener('abort', onAbort)
  return { signal: controller.signal, release }
}
