import { BonbonError } from '../errors.js'
import type { LogSink, PreferenceRecord } from './preference-record.js'

/** Where {@link writeRecord} sends a record and its failures. */
export interface RecordTarget {
  /** The sink; none logs nothing. */
  readonly log?: LogSink | undefined
  /** Told of every failed write, and of a `prepare` that threw. */
  readonly onLogError: (error: unknown) => void
}

/** Options of {@link writeRecord}. */
export interface WriteRecordOptions {
  /** Prepares the record (redaction, opt-out); returning undefined keeps none. @default the record as is */
  readonly prepare?: ((record: PreferenceRecord) => PreferenceRecord | undefined) | undefined
  /** Whether a durable sink is awaited and its failure fails the answer; false for runs that failed anyway. */
  readonly awaitDurable: boolean
  /** Given a best-effort write, which never rejects, to keep alive past the response (Workers' `waitUntil`). */
  readonly inBackground?: ((written: Promise<void>) => void) | undefined
}

/**
 * Hands a record to the log, after `prepare`. A durable sink is awaited when `awaitDurable` is set,
 * so the answer leaves only once its record is stored, and fails when it cannot be, a throwing
 * `prepare` included. Any other write is best effort: its failures, synchronous or not, go to
 * `onLogError`, so it never rejects (an unhandled rejection would end a Node process).
 * @throws BonbonError `log_write_failed` when an awaited durable write fails.
 */
export async function writeRecord(target: RecordTarget, record: PreferenceRecord, options: WriteRecordOptions): Promise<void> {
  const { log } = target
  if (!log) return
  const { prepare } = options
  // An async wrapper, so a `prepare` or `write` that throws synchronously becomes a rejection too.
  const stored = (async () => {
    const prepared = prepare === undefined ? record : prepare(record)
    if (prepared !== undefined) await log.write(prepared)
  })()
  if (log.durable === true && options.awaitDurable) {
    try {
      await stored
    } catch (error) {
      reportLogError(target, error)
      throw new BonbonError('log_write_failed', 'The answer was withheld because its record could not be stored.', {
        cause: error,
      })
    }
    return
  }
  const written = stored.catch((error: unknown) => reportLogError(target, error))
  try {
    options.inBackground?.(written)
  } catch (error) {
    reportLogError(target, error)
  }
}

/** Tells `onLogError`; a hook that throws is ignored, since it runs where nothing could catch it. */
function reportLogError(target: RecordTarget, error: unknown): void {
  try {
    target.onLogError(error)
  } catch {
    // Nothing left to tell.
  }
}
