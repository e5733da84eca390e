import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { InvalidOptionsError } from '../errors.js'
import { migrations as allMigrations, type Migration } from './migrations.js'
import type { PreferenceRecord } from './preference-record.js'
import {
  fromRecordRows,
  recordQuery,
  requestColumns,
  selectCandidatesSql,
  type RecordFilter,
} from './record-schema.js'

/** How to open a preference-log database. */
export interface OpenSqliteDatabaseOptions {
  /** Database file, or `:memory:`. */
  readonly path: string
  /**
   * How long a statement waits for another connection's lock before failing, ms. node:sqlite is
   * synchronous, so the wait blocks the event loop: keep it short and let callers retry.
   * @default 1000
   */
  readonly busyTimeoutMs?: number
  /** Whether a missing file (and its folder) is created; when false, a missing file throws. @default true */
  readonly create?: boolean
}

const defaultBusyTimeoutMs = 1_000

function isMemoryPath(path: string): boolean {
  return path === ':memory:'
}

/**
 * Opens a preference-log database in WAL mode and brings its schema up to date.
 * WAL lets `bonbon export` read while the gateway writes; `synchronous=NORMAL` is durable across
 * application crashes in WAL mode and only risks the last commits on power loss.
 * @throws InvalidOptionsError when the path is empty, or missing while `create` is false.
 */
export function openSqliteDatabase(options: OpenSqliteDatabaseOptions): DatabaseSync {
  const { path } = options
  const busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidOptionsError('path must be a non-empty file path.', { key: 'path' })
  }
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidOptionsError('busyTimeoutMs must be an integer ≥ 0.', { key: 'busyTimeoutMs' })
  }
  if (!isMemoryPath(path) && options.create === false && !existsSync(path)) {
    // Opening creates the file, and an empty log would hide a mistyped path.
    throw new InvalidOptionsError(`No preference log at ${path}.`, { key: 'path' })
  }
  let db: DatabaseSync
  try {
    if (!isMemoryPath(path) && options.create !== false) mkdirSync(dirname(path), { recursive: true })
    db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true })
  } catch (error) {
    // The usual causes (a read-only folder, a file where a folder should be) deserve a sentence, not a stack.
    throw new InvalidOptionsError(`Cannot open the preference log at ${path}: ${(error as Error).message}`, {
      key: 'log.path',
      cause: error,
    })
  }
  try {
    db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = NORMAL')
    applyMigrations(db)
  } catch (error) {
    db.close()
    if ((error as { errcode?: unknown }).errcode === sqliteNotADatabase) {
      throw new InvalidOptionsError(`${path} is not a SQLite database, so it cannot be a preference log.`, {
        key: 'log.path',
        cause: error,
      })
    }
    throw error
  }
  return db
}

/** SQLITE_NOTADB: the file exists and is something else. @see https://sqlite.org/rescode.html#notadb */
const sqliteNotADatabase = 26

/**
 * Applies the migrations a database has not recorded in `schema_migrations`, each in its own
 * transaction with its bookkeeping row, so a step applies exactly once even when two processes
 * open the same file at the same time.
 * @returns The versions applied now (empty when the schema was current).
 */
export function applyMigrations(db: DatabaseSync, migrations: readonly Migration[] = allMigrations): number[] {
  // Not part of migrations/: D1 keeps its own table (d1_migrations) when wrangler applies them.
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations ' +
      '(version INTEGER PRIMARY KEY NOT NULL, file TEXT NOT NULL, applied_at TEXT NOT NULL)',
  )
  const isApplied = db.prepare('SELECT 1 AS applied FROM schema_migrations WHERE version = ?')
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, file, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
  )
  const applied: number[] = []
  for (const migration of migrations) {
    if (isApplied.get(migration.version) !== undefined) continue
    db.exec('BEGIN IMMEDIATE')
    try {
      // Checked again under the write lock: another process may have applied it meanwhile.
      if (isApplied.get(migration.version) === undefined) {
        db.exec(migration.sql)
        record.run(migration.version, migration.file)
        applied.push(migration.version)
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
  return applied
}

/** Read access to a preference log, for tests, `bonbon export` and `bonbon stats`. */
export interface SqliteStore {
  /**
   * The stored records in `created_at` order (ties by request id), read lazily one at a time, so
   * memory stays constant however large the log. Stop early with `break`.
   */
  readRecords(filter?: RecordFilter): IterableIterator<PreferenceRecord>
  /** How many stored records match the filter. */
  count(filter?: RecordFilter): number
  /** Closes the database; idempotent. */
  close(): void
}

/** How to open a preference log for reading. */
export interface SqliteStoreOptions {
  /** How long a read waits for a lock, ms. @default 1000 */
  readonly busyTimeoutMs?: number
}

/**
 * Opens an existing preference log for reading. The schema is brought up to date first, so a log
 * written by an older bonbon reads the same way.
 * @throws InvalidOptionsError when no database exists at `path`.
 * @example
 * const store = openSqliteStore('bonbon.db')
 * for (const record of store.readRecords({ model: 'qwen', minN: 4 })) console.log(record.best)
 * store.close()
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = openSqliteDatabase({ path, busyTimeoutMs: options.busyTimeoutMs, create: false })
  const selectCandidates = db.prepare(selectCandidatesSql)

  function* readRecords(filter?: RecordFilter): Generator<PreferenceRecord, void, undefined> {
    const query = recordQuery(filter)
    const select = db.prepare(
      `SELECT ${requestColumns.join(', ')} FROM requests ${query.where} ORDER BY created_at, request_id`,
    )
    for (const row of select.iterate(...query.params)) {
      const requestId = row['request_id']
      // Consumed fully before the yield, so interleaved readers never share a running statement.
      const candidates = typeof requestId === 'string' ? selectCandidates.all(requestId) : []
      yield fromRecordRows(row, candidates)
    }
  }

  return {
    readRecords,
    count(filter) {
      const query = recordQuery(filter)
      const row = db.prepare(`SELECT COUNT(*) AS total FROM requests ${query.where}`).get(...query.params)
      const total = row?.['total']
      if (typeof total !== 'number') throw new TypeError('COUNT(*) returned no number.')
      return total
    },
    close() {
      if (db.isOpen) db.close()
    },
  }
}
