import { BonbonError } from '../errors.js'
import type { LogSink, PreferenceRecord } from '../log/preference-record.js'

/** Where {@link writeModelRecord} sends a record and its failures: the middleware's resolved options. */
export interface ModelLogTarget {
  /** The sink; none logs nothing. */
  readonly log?: LogSink | undefined
  /** Told of every failed write. */
  readonly onLogError: (error: unknown) => void
}

/**
 * Hands a record to the log as the gateway does (src/hono/log-record.ts). A durable sink is awaited
 * when `awaitDurable` is set, so the answer is returned only once its record is stored, and the call
 * fails when it cannot be. Any other write is best effort: its failures, synchronous or not, go to
 * `onLogError`, and this never rejects.
 * @throws BonbonError `log_write_failed` when a durable write that is awaited fails.
 */
export async function writeModelRecord(
  target: ModelLogTarget,
  record: PreferenceRecord,
  options: { readonly awaitDurable: boolean },
): Promise<void> {
  const { log } = target
  if (!log) return
  // An async wrapper, so a `write` that throws synchronously becomes a rejection too.
  const stored = (async () => log.write(record))()
  if (log.durable === true && options.awaitDurable) {
    try {
      await stored
    } catch (error) {
      report(target, error)
      throw new BonbonError('log_write_failed', 'The answer was withheld because its record could not be stored.', {
        cause: error,
      })
    }
    return
  }
  // Not awaited: the answer must not wait for a sink that queues and batches. Left unhandled, a failed
  // write would be an unhandled rejection, which ends a Node process.
  void stored.catch((error: unknown) => report(target, error))
}

/** Tells `onLogError`; a hook that throws is ignored, since it runs where nothing could catch it. */
function report(target: ModelLogTarget, error: unknown): void {
  try {
    target.onLogError(error)
  } catch {
    // Nothing left to tell.
  }
}
