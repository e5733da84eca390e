import { BonbonError, InvalidOptionsError } from '../errors.js'

/** When a write counts as done: `async` once queued, `sync` once committed. */
export type LogDurability = 'async' | 'sync'

/** Options of `createSqliteSink`. */
export interface SqliteSinkOptions {
  /** Database file; it and its folder are created when missing. */
  readonly path: string
  /**
   * `async`: `write` resolves once the record is queued, and batches are committed in the
   * background, so a crash loses at most the records queued and not yet committed (at most
   * `maxQueue`; in practice about `flushIntervalMs` of traffic). `sync`: `write` resolves only once
   * the transaction holding the record has committed and reached the disk (`synchronous=FULL`), or
   * the record is synced into the spill file; concurrent writes share a transaction (group commit).
   * @default 'async'
   */
  readonly durability?: LogDurability
  /** Records per transaction; once this many are queued, a batch is written without waiting. @default 64 */
  readonly batchSize?: number
  /** Longest a record waits in the queue before it is written (`async`), ms. @default 200 */
  readonly flushIntervalMs?: number
  /**
   * Most records held in memory; a write that finds the queue full goes straight to the spill
   * file instead, so memory stays bounded when the store is slow or stuck. At least `batchSize`.
   * @default 10000
   */
  readonly maxQueue?: number
  /**
   * Append-only JSONL file that takes records the store cannot (disk full, locked, read-only) and
   * those beyond `maxQueue`; they are replayed into the store when it works again and at start-up.
   * @default `<path>.spill.jsonl`; none for `:memory:`
   */
  readonly spillPath?: string
  /**
   * How long a write waits for another connection's lock before its batch fails and is spilled, ms.
   * The wait blocks the event loop (node:sqlite is synchronous), hence short.
   * @default 1000
   */
  readonly busyTimeoutMs?: number
  /**
   * Told when the store fails (records then spill), when the spill file fails too, when a record
   * is dropped because both failed, and when a spill line cannot be replayed.
   * @default a Node process warning
   */
  readonly onError?: (error: BonbonError) => void
}

/** {@link SqliteSinkOptions} with every default filled in. */
export interface ResolvedSqliteSinkOptions {
  readonly path: string
  readonly durability: LogDurability
  readonly batchSize: number
  readonly flushIntervalMs: number
  readonly maxQueue: number
  readonly spillPath: string | undefined
  readonly busyTimeoutMs: number
  readonly onError: (error: BonbonError) => void
}

function positiveInteger(value: number, key: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(`${key} must be an integer ≥ 1, got ${String(value)}.`, { key })
  }
  return value
}

/**
 * Validates sink options and fills in defaults, without touching the caller's object.
 * @throws InvalidOptionsError naming the bad key.
 */
export function resolveSqliteSinkOptions(options: SqliteSinkOptions): ResolvedSqliteSinkOptions {
  const { path } = options
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidOptionsError('path must be a non-empty file path.', { key: 'path' })
  }
  const durability = options.durability ?? 'async'
  if (durability !== 'async' && durability !== 'sync') {
    throw new InvalidOptionsError(`durability must be 'async' or 'sync', got ${String(durability)}.`, {
      key: 'durability',
    })
  }
  const batchSize = positiveInteger(options.batchSize ?? 64, 'batchSize')
  const maxQueue = positiveInteger(options.maxQueue ?? 10_000, 'maxQueue')
  if (maxQueue < batchSize) {
    throw new InvalidOptionsError(`maxQueue (${maxQueue}) must be at least batchSize (${batchSize}).`, {
      key: 'maxQueue',
    })
  }
  if (options.spillPath !== undefined && (typeof options.spillPath !== 'string' || options.spillPath.length === 0)) {
    throw new InvalidOptionsError('spillPath must be a non-empty file path.', { key: 'spillPath' })
  }
  if (options.spillPath !== undefined && options.spillPath === path) {
    throw new InvalidOptionsError('spillPath must differ from path.', { key: 'spillPath' })
  }
  return {
    path,
    durability,
    batchSize,
    flushIntervalMs: positiveInteger(options.flushIntervalMs ?? 200, 'flushIntervalMs'),
    maxQueue,
    spillPath: options.spillPath ?? (path === ':memory:' ? undefined : `${path}.spill.jsonl`),
    busyTimeoutMs: options.busyTimeoutMs ?? 1_000,
    onError: options.onError ?? ((error) => process.emitWarning(error)),
  }
}
