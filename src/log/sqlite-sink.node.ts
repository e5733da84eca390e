import { BonbonError, describeError } from '../errors.js'
import type { LogSink, PreferenceRecord } from './preference-record.js'
import { toRecordRows, type RecordRows } from './record-schema.js'
import { openRecordWriter } from './record-writer.node.js'
import { appendSpillLines, replaySpillFile, spillFileHasData, spillLine } from './spill-file.node.js'
import { resolveSqliteSinkOptions, type SqliteSinkOptions } from './sqlite-sink-options.node.js'

export type { LogDurability, SqliteSinkOptions } from './sqlite-sink-options.node.js'

/** A {@link LogSink} that batches preference records into a local SQLite file. */
export interface SqliteSink extends LogSink {
  /** True in `sync` durability: `write` resolves only once its record is committed or synced to the spill file. */
  readonly durable: boolean
  /** Records queued in memory and neither committed nor spilled. */
  readonly pending: number
  /** Transactions committed so far, spill replays included; each holds at most `batchSize` records. */
  readonly committedBatches: number
  /** Records this sink appended to the spill file because the store failed or the queue was full. */
  readonly spilled: number
  /** Records replayed from the spill file into the store, at start-up included. */
  readonly replayed: number
  /** Records lost because neither the store nor the spill file would take them; anything but 0 is an incident. */
  readonly dropped: number
}

interface QueuedRecord {
  /** Replaced once, when a `sync` writer is told its record failed: see {@link withheld}. */
  rows: RecordRows
  /** `sync` only: settles the caller's write; cleared once it has been told. */
  settle: ((error?: BonbonError) => void) | undefined
}

// Retries of a failing store back off to this, since each attempt may block the event loop for busyTimeoutMs.
const maxRetryDelayMs = 30_000

/**
 * The rows of a record whose `sync` write was rejected: its answer is withheld (the client gets a 500
 * `log_write_failed`), so the record, kept for its paid-for candidates, must not claim one was given.
 * Marked as the pipeline marks any run that could not answer: `chosen` null, `degraded` `failed: <code>: …`.
 */
function withheld(rows: RecordRows): RecordRows {
  const degraded = 'failed: log_write_failed: the answer was withheld because its record could not be stored'
  return { ...rows, request: { ...rows.request, chosen: null, degraded } }
}

/**
 * Creates a sink that stores preference records in SQLite (`node:sqlite`, WAL) off the request path.
 * Records are queued and committed in batches: in `async` durability when `batchSize` are queued or
 * `flushIntervalMs` after the first; in `sync` durability at once, every write waiting in the same
 * turn of the event loop sharing one transaction (group commit), `write` resolving after the commit.
 *
 * No record is dropped silently. When the store fails (disk full, locked, read-only, deleted), the
 * queued records go to an append-only JSONL spill file beside it (synced in `sync` mode) and are
 * replayed into the store at its next successful batch, at a backed-off retry, or at the next
 * start-up. A write that finds `maxQueue` records queued goes straight to the spill file. Only when
 * the spill file fails too are records held in memory, and beyond `maxQueue` dropped, counted in
 * `dropped` and reported to `onError`; a `sync` write rejected then keeps its record as a run whose
 * answer was withheld (`chosen` null, `degraded` `failed: log_write_failed: …`), since its writer
 * answers 500. `flush()` resolves once every queued record is committed or in the spill file, and
 * rejects only when records are left in memory; `close()` is the drain on shutdown. The spill file
 * belongs to one sink: give each process sharing a store its own `spillPath`.
 * @throws InvalidOptionsError for invalid options; an Error when the database cannot be opened.
 * @example
 * const sink = createSqliteSink({ path: 'data/bonbon.db', durability: 'sync' })
 * await sink.write(record) // resolves once committed
 * process.once('SIGTERM', () => void sink.close())
 */
export function createSqliteSink(options: SqliteSinkOptions): SqliteSink {
  const resolved = resolveSqliteSinkOptions(options)
  const { batchSize, spillPath } = resolved
  const durable = resolved.durability === 'sync'
  const writer = openRecordWriter({ path: resolved.path, busyTimeoutMs: resolved.busyTimeoutMs, syncEachCommit: durable })
  // Records are turned into rows when written, so a record changed later by its owner is stored as it was.
  const queue: QueuedRecord[] = []
  const counts = { committedBatches: 0, spilled: 0, replayed: 0, dropped: 0 }
  let closed = false
  let storeFailing = false
  let failedAttempts = 0
  let spillFailing = false
  let dropReported = false
  let spillWaiting = spillPath !== undefined && spillFileHasData(spillPath)
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let immediate: ReturnType<typeof setImmediate> | undefined

  function commit(batch: readonly RecordRows[]): void {
    writer.commit(batch)
    counts.committedBatches += 1
  }

  function commitQueued(fullBatchesOnly: boolean): void {
    const minimum = fullBatchesOnly ? batchSize : 1
    while (queue.length >= minimum) {
      const batch = queue.slice(0, batchSize)
      commit(batch.map((entry) => entry.rows))
      queue.splice(0, batch.length)
      dropReported = false
      for (const entry of batch) entry.settle?.()
    }
  }

  function replaySpill(): void {
    if (!spillWaiting || spillPath === undefined) return
    const replay = replaySpillFile(spillPath, { batchSize, commit, onSkip: resolved.onError })
    counts.replayed += replay.records
    spillWaiting = false
  }

  /** Appends records to the spill file and settles their writes; returns the failure instead of throwing. */
  function spill(entries: readonly QueuedRecord[]): BonbonError | undefined {
    if (entries.length === 0) return undefined
    try {
      if (spillPath === undefined) throw new Error('no spill file is configured')
      appendSpillLines(spillPath, entries.map((entry) => spillLine(entry.rows)), { sync: durable })
    } catch (error) {
      return new BonbonError(
        'log_spill_failed',
        `Could not append ${entries.length} preference records to the spill file ${spillPath ?? '(none)'}: ${describeError(error)}`,
        { cause: error },
      )
    }
    spillFailing = false
    dropReported = false
    spillWaiting = true
    counts.spilled += entries.length
    for (const entry of entries) entry.settle?.()
    return undefined
  }

  /**
   * Moves the queue to the spill file. When that fails, the records stay queued, and sync writers are
   * told and their records marked withheld.
   */
  function spillQueue(): BonbonError | undefined {
    const entries = queue.splice(0)
    const failure = spill(entries)
    if (failure === undefined) return undefined
    queue.unshift(...entries)
    for (const entry of entries) {
      if (entry.settle === undefined) continue
      entry.settle(failure)
      entry.settle = undefined
      entry.rows = withheld(entry.rows)
    }
    if (!spillFailing) resolved.onError(failure)
    spillFailing = true
    return failure
  }

  function storeFailed(error: unknown): void {
    storeFailing = true
    failedAttempts += 1
    const dropped = counts.dropped > 0 ? `; ${counts.dropped} records dropped so far` : ''
    resolved.onError(
      new BonbonError(
        'log_write_failed',
        `Could not store preference records in ${resolved.path}: ${describeError(error)}; ` +
          `they go to ${spillPath ?? 'memory (no spill file)'} until the store recovers${dropped}.`,
        { cause: error },
      ),
    )
    clearTimeout(retryTimer)
    const delay = Math.min(resolved.flushIntervalMs * 2 ** (failedAttempts - 1), maxRetryDelayMs)
    // Unref'd: spilled records are safe on disk, so a pending retry alone need not keep the process alive.
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      drain(false, true)
    }, delay)
    retryTimer.unref()
  }

  /**
   * Commits what is queued, then replays the spill file; when the store fails, spills the queue.
   * While the store is failing only `retry` drains try it; the others spill at once.
   * @returns the spill failure when records are left only in memory.
   */
  function drain(fullBatchesOnly: boolean, retry: boolean): BonbonError | undefined {
    if (!storeFailing || retry) {
      try {
        commitQueued(fullBatchesOnly)
        replaySpill()
        if (queue.length === 0) cancelFlushTimer()
        storeFailing = false
        failedAttempts = 0
        clearTimeout(retryTimer)
        return undefined
      } catch (error) {
        storeFailed(error)
      }
    }
    return spillQueue()
  }

  function schedule(): void {
    if (durable || queue.length >= batchSize) {
      // setImmediate, not a synchronous write: the request that fills the batch does not pay for it,
      // and in sync mode every write of this turn of the event loop joins the same transaction.
      immediate ??= setImmediate(() => {
        immediate = undefined
        drain(!durable, false)
      })
    }
    if (!durable) {
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined
        drain(false, false)
      }, resolved.flushIntervalMs)
    }
  }

  /** A write that found the queue full: straight to the spill file, or dropped, loudly, when that fails. */
  function overflow(entry: QueuedRecord): void {
    const failure = spill([entry])
    if (failure === undefined) return
    counts.dropped += 1
    const error = new BonbonError(
      'log_record_dropped',
      `Dropped preference record ${entry.rows.request.request_id}: ${queue.length} records are queued ` +
        `(maxQueue) and the spill file failed too (${failure.message}); ${counts.dropped} dropped so far.`,
      { cause: failure },
    )
    if (!dropReported) resolved.onError(error)
    dropReported = true
    throw error
  }

  function cancelFlushTimer(): void {
    clearTimeout(flushTimer)
    flushTimer = undefined
  }

  async function flush(): Promise<void> {
    cancelFlushTimer()
    clearImmediate(immediate)
    immediate = undefined
    if (!writer.isOpen) return
    const failure = drain(false, true)
    if (failure !== undefined) throw failure
  }

  if (spillWaiting) drain(false, true)

  return {
    durable,
    get pending() {
      return queue.length
    },
    get committedBatches() {
      return counts.committedBatches
    },
    get spilled() {
      return counts.spilled
    },
    get replayed() {
      return counts.replayed
    },
    get dropped() {
      return counts.dropped
    },
    async write(record: PreferenceRecord) {
      if (closed) {
        throw new BonbonError(
          'sink_closed',
          `The SQLite log sink for ${resolved.path} is closed; record ${record.requestId} was not stored.`,
        )
      }
      const entry: QueuedRecord = { rows: toRecordRows(record), settle: undefined }
      if (queue.length >= resolved.maxQueue) return overflow(entry)
      if (!durable) {
        queue.push(entry)
        return schedule()
      }
      return new Promise<void>((resolve, reject) => {
        entry.settle = (error) => (error === undefined ? resolve() : reject(error))
        queue.push(entry)
        schedule()
      })
    },
    flush,
    async close() {
      closed = true
      // When the final flush fails the records stay queued and the database open, so close() can be retried.
      await flush()
      clearTimeout(retryTimer)
      writer.close()
    },
  }
}
