import type { Context } from 'hono'
import { BonbonError } from '../errors.js'
import type { LogSink, PreferenceRecord } from '../log/preference-record.js'

/** Where {@link logRecord} sends records and their failures: the middleware's resolved options. */
export interface LogTarget {
  /** The sink; none logs nothing. */
  readonly log: LogSink | undefined
  /** Told of every failed write, and of a `prepare` that threw. */
  readonly onLogError: (error: unknown) => void
  /** Keeps a best-effort write alive past the response (Workers' `ctx.waitUntil`). */
  readonly waitUntil: ((c: Context, promise: Promise<unknown>) => void) | undefined
}

/** One record for {@link logRecord}. */
export interface LogRecordOptions {
  /** The request's context, for `waitUntil`. */
  readonly c: Context
  /** The record as the run made it. */
  readonly record: PreferenceRecord
  /** The admission's `record` hook (redaction, opt-out); none keeps the record as is. */
  readonly prepare: ((record: PreferenceRecord) => PreferenceRecord | undefined) | undefined
  /** Whether a durable sink is awaited and its failure fails the answer; false for runs that failed anyway. */
  readonly awaitDurable: boolean
}

/**
 * Hands a record to the log, after the admission's `prepare` (redaction, opt-out). A durable sink is
 * awaited, so the answer leaves only once its record is stored, and fails (500) when it cannot be,
 * a throwing `prepare` included. Any other write is best effort: it settles after the response and
 * its failures, synchronous or not, go to `onLogError`, so this never rejects.
 */
export async function logRecord(resolved: LogTarget, options: LogRecordOptions): Promise<void> {
  const log = resolved.log
  if (!log) return
  const { prepare } = options
  // An async wrapper, so a `prepare` or `write` that throws synchronously becomes a rejection too.
  const stored = (async () => {
    const record = prepare === undefined ? options.record : prepare(options.record)
    if (record !== undefined) await log.write(record)
  })()
  if (log.durable === true && options.awaitDurable) {
    try {
      await stored
    } catch (error) {
      reportLogError(resolved, error)
      throw new BonbonError('log_write_failed', 'The answer was withheld because its record could not be stored.', {
        cause: error,
      })
    }
    return
  }
  // Left unhandled, a failed best-effort write would be an unhandled rejection, which ends a Node process.
  const written = stored.catch((error: unknown) => reportLogError(resolved, error))
  try {
    resolved.waitUntil?.(options.c, written)
  } catch (error) {
    reportLogError(resolved, error)
  }
}

/** Tells `onLogError`; a hook that throws is ignored, since it runs where nothing could catch it. */
function reportLogError(resolved: LogTarget, error: unknown): void {
  try {
    resolved.onLogError(error)
  } catch {
    // Nothing left to tell.
  }
}
