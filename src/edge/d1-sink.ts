import { BonbonError, InvalidOptionsError } from '../errors.js'
import type { LogSink, PreferenceRecord } from '../log/preference-record.js'
import { toRecordRows } from '../log/record-schema.js'
import { isD1Database, type D1DatabaseBinding } from './cloudflare-bindings.js'
import { checkD1Schema, recordStatements } from './d1-record-store.js'
import { createInFlightWrites } from './in-flight-writes.js'

/** Options of {@link createD1Sink}. */
export interface D1SinkOptions {
  /** The D1 binding (`env.DB`). */
  readonly database: D1DatabaseBinding
  /** The binding's name, for messages. @default 'DB' */
  readonly binding?: string
}

/** A {@link LogSink} writing to Cloudflare D1. */
export interface D1Sink extends LogSink {
  /**
   * Resolves once the database is known to hold bonbon's tables (checked once per isolate).
   * @throws BonbonError with code `log_schema_missing`.
   */
  ready(): Promise<void>
}

/**
 * Creates a sink that stores each record in D1, in the schema of the SQLite store (migrations/),
 * one `batch()` per record: a transaction that upserts the request and replaces its candidates.
 * Writes are not queued in memory: an isolate may be evicted at any time, so each write goes out at
 * once and the Worker keeps it alive with `ctx.waitUntil` (the best-of-n middleware does).
 * @throws InvalidOptionsError when `database` is not a D1 binding.
 * @example
 * ```ts
 * const sink = createD1Sink({ database: env.DB })
 * ctx.waitUntil(sink.write(record))
 * ```
 */
export function createD1Sink(options: D1SinkOptions): D1Sink {
  const binding = options.binding ?? 'DB'
  if (!isD1Database(options.database)) {
    throw new InvalidOptionsError(
      `The binding ${binding} is not a D1 database: declare it under [[d1_databases]] in wrangler.toml.`,
      { key: 'log.binding' },
    )
  }
  const database = options.database
  const writes = createInFlightWrites()

  async function store(record: PreferenceRecord): Promise<void> {
    const rows = toRecordRows(record)
    await checkD1Schema(database, binding)
    try {
      await database.batch(recordStatements(database, rows))
    } catch (error) {
      throw new BonbonError('log_write_failed', `Could not store record ${record.requestId} in D1 (${binding}).`, {
        cause: error,
      })
    }
  }

  return {
    ready: () => checkD1Schema(database, binding),
    write: (record) =>
      writes.start(
        () => store(record),
        () => new BonbonError('sink_closed', `The D1 log sink is closed; record ${record.requestId} was not stored.`),
      ),
    flush: writes.flush,
    close: writes.close,
  }
}
