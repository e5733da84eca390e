import type { Context } from 'hono'
import type { LogSink, PreferenceRecord } from '../log/preference-record.js'
import { writeRecord } from '../log/write-record.js'

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
 * Hands a record to the log ({@link writeRecord}), keeping a best-effort write alive past the
 * response with `waitUntil`.
 * @throws BonbonError `log_write_failed` when an awaited durable write fails.
 */
export function logRecord(resolved: LogTarget, options: LogRecordOptions): Promise<void> {
  const { waitUntil } = resolved
  return writeRecord(resolved, options.record, {
    prepare: options.prepare,
    awaitDurable: options.awaitDurable,
    inBackground: waitUntil === undefined ? undefined : (written) => waitUntil(options.c, written),
  })
}
