import type { DatabaseSync } from 'node:sqlite'
import { BonbonError, InvalidOptionsError, describeError } from '../errors.js'
import type { LogSink, PreferenceRecord } from './preference-record.js'
import {
  candidateRowValues,
  deleteCandidatesSql,
  insertCandidateSql,
  requestRowValues,
  toRecordRows,
  upsertRequestSql,
  type RecordRows,
} from './record-schema.js'
import { openSqliteDatabase } from './sqlite-store.node.js'

/** Options of {@link createSqliteSink}. */
export interface SqliteSinkOptions {
  /** Database file; it and its folder are created when missing. */
  readonly path: string
  /** Records per transaction; once this many are queued, a batch is written without waiting. @default 64 */
  readonly batchSize?: number
  /** Longest a record waits in the queue before it is written, ms. @default 200 */
  readonly flushIntervalMs?: number
  /**
   * How long a write waits for another connection's lock before its batch fails and stays queued, ms.
   * The wait blocks the event loop (node:sqlite is synchronous), hence short.
   * @default 1000
   */
  readonly busyTimeoutMs?: number
  /**
   * Told when a batch written in the background (interval or batch size) fails; its records stay
   * queued and are retried. `flush()` and `close()` reject instead.
   * @default a Node process warning
   */
  readonly onError?: (error: BonbonError) => void
}

/** A {@link LogSink} that batches preference records into a local SQLite file. */
export interface SqliteSink extends LogSink {
  /** Records queued and not yet committed, including those of failed batches. */
  readonly pending: number
  /** Transactions committed so far; each holds at most `batchSize` records. */
  readonly committedBatches: number
}

interface ResolvedSqliteSinkOptions {
  readonly path: string
  readonly batchSize: number
  readonly flushIntervalMs: number
  readonly busyTimeoutMs: number
  readonly onError: (error: BonbonError) => void
}

function positiveInteger(value: number, key: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(`${key} must be an integer ≥ 1, got ${String(value)}.`, { key })
  }
  return value
}

function resolveOptions(options: SqliteSinkOptions): ResolvedSqliteSinkOptions {
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new InvalidOptionsError('path must be a non-empty file path.', { key: 'path' })
  }
  return {
    path: options.path,
    batchSize: positiveInteger(options.batchSize ?? 64, 'batchSize'),
    flushIntervalMs: positiveInteger(options.flushIntervalMs ?? 200, 'flushIntervalMs'),
    busyTimeoutMs: options.busyTimeoutMs ?? 1_000,
    onError: options.onError ?? ((error) => process.emitWarning(error)),
  }
}

/** Writes batches in single transactions with statements prepared once. */
function createBatchWriter(db: DatabaseSync): (batch: readonly RecordRows[]) => void {
  const upsertRequest = db.prepare(upsertRequestSql)
  const deleteCandidates = db.prepare(deleteCandidatesSql)
  const insertCandidate = db.prepare(insertCandidateSql)
  return (batch) => {
    db.exec('BEGIN IMMEDIATE')
    try {
      for (const rows of batch) {
        upsertRequest.run(...requestRowValues(rows.request))
        deleteCandidates.run(rows.request.request_id)
        for (const candidate of rows.candidates) insertCandidate.run(...candidateRowValues(candidate))
      }
      db.exec('COMMIT')
    } catch (error) {
      // A failed COMMIT can leave the transaction open; roll back so the next batch starts clean.
      if (db.isTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
}

/**
 * Creates a sink that stores preference records in SQLite (`node:sqlite`, WAL) off the request path:
 * `write` only queues; a batch is committed in one transaction when `batchSize` records are queued
 * or `flushIntervalMs` after the first one. A failed batch is never dropped: its records stay
 * queued (see `pending`) and go with the next flush. `close()` is the drain on shutdown.
 * @throws InvalidOptionsError for invalid options; an Error when the database cannot be opened.
 * @example
 * const sink = createSqliteSink({ path: 'data/bonbon.db' })
 * void sink.write(record) // returns at once
 * process.once('SIGTERM', () => void sink.close())
 */
export function createSqliteSink(options: SqliteSinkOptions): SqliteSink {
  const resolved = resolveOptions(options)
  const db = openSqliteDatabase({ path: resolved.path, busyTimeoutMs: resolved.busyTimeoutMs })
  const writeBatch = createBatchWriter(db)
  // Records are turned into rows when written, so a record changed later by its owner is stored as it was.
  const queue: RecordRows[] = []
  let committedBatches = 0
  let closed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let immediate: ReturnType<typeof setImmediate> | undefined
  // After a background failure, only the interval retries, so a broken disk under load costs one
  // attempt (and one onError) per interval rather than one per write.
  let failing = false

  function cancelScheduled(): void {
    clearTimeout(timer)
    timer = undefined
    clearImmediate(immediate)
    immediate = undefined
  }

  /**
   * Commits queued records batch by batch. On failure the failed batch and everything after it stay
   * queued, and the failure is returned rather than thrown so each caller decides who hears of it.
   */
  function drain(fullBatchesOnly: boolean): BonbonError | undefined {
    const minimum = fullBatchesOnly ? resolved.batchSize : 1
    try {
      while (queue.length >= minimum) {
        const batch = queue.slice(0, resolved.batchSize)
        writeBatch(batch)
        queue.splice(0, batch.length)
        committedBatches += 1
      }
    } catch (error) {
      failing = true
      // Seam for the JSONL spill file: records that cannot reach SQLite would be handed over here.
      return new BonbonError(
        'log_write_failed',
        `Could not store preference records in ${resolved.path}; ${queue.length} stay queued: ${describeError(error)}`,
        { cause: error },
      )
    }
    failing = false
    if (queue.length === 0) cancelScheduled()
    return undefined
  }

  function drainInBackground(fullBatchesOnly: boolean): void {
    const failure = drain(fullBatchesOnly)
    if (failure !== undefined) resolved.onError(failure)
  }

  function schedule(): void {
    timer ??= setTimeout(() => {
      timer = undefined
      drainInBackground(false)
    }, resolved.flushIntervalMs)
    if (queue.length >= resolved.batchSize && !failing) {
      // setImmediate, not a synchronous write: the request that fills the batch does not pay for it.
      immediate ??= setImmediate(() => {
        immediate = undefined
        drainInBackground(true)
      })
    }
  }

  async function flush(): Promise<void> {
    cancelScheduled()
    if (!db.isOpen) return
    const failure = drain(false)
    if (failure !== undefined) throw failure
  }

  return {
    get pending() {
      return queue.length
    },
    get committedBatches() {
      return committedBatches
    },
    async write(record: PreferenceRecord) {
      if (closed) {
        throw new BonbonError(
          'sink_closed',
          `The SQLite log sink for ${resolved.path} is closed; record ${record.requestId} was not stored.`,
        )
      }
      queue.push(toRecordRows(record))
      schedule()
    },
    flush,
    async close() {
      closed = true
      // When the final flush fails the database stays open and the records queued, so close() can be retried.
      await flush()
      if (db.isOpen) db.close()
    },
  }
}
