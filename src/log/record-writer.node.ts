import { statSync } from 'node:fs'
import type { DatabaseSync } from 'node:sqlite'
import {
  candidateRowValues,
  deleteCandidatesSql,
  insertCandidateSql,
  requestRowValues,
  upsertRequestSql,
  type RecordRows,
} from './record-schema.js'
import { openSqliteDatabase } from './sqlite-store.node.js'

/** Options of {@link openRecordWriter}. */
export interface RecordWriterOptions {
  /** Database file, or `:memory:`. */
  readonly path: string
  /** How long a write waits for another connection's lock, ms. */
  readonly busyTimeoutMs: number
  /**
   * Whether each commit is synced to disk (`synchronous=FULL`) rather than only made safe from a
   * process crash (`synchronous=NORMAL`, WAL).
   */
  readonly syncEachCommit: boolean
}

/** Commits record batches to a preference-log database. */
export interface RecordWriter {
  /** Commits the batch in one transaction, all or nothing. @throws the database's error. */
  commit(batch: readonly RecordRows[]): void
  /** False once closed. */
  readonly isOpen: boolean
  /** Closes the database; idempotent. Commits after it throw. */
  close(): void
}

interface FileIdentity {
  readonly dev: number
  readonly ino: number
}

function identityOf(path: string): FileIdentity | undefined {
  const stats = statSync(path, { throwIfNoEntry: false })
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino }
}

/**
 * Opens a database for batched record writes. Before each commit it checks that the file at `path`
 * is still the one it opened: SQLite keeps writing into a deleted (or replaced) file's inode, where
 * every later record would silently vanish, so it reopens the path instead, recreating the schema.
 * @throws when the database cannot be opened.
 */
export function openRecordWriter(options: RecordWriterOptions): RecordWriter {
  const onDisk = options.path !== ':memory:'
  let handle: OpenDatabase | undefined
  let closed = false

  function open(): OpenDatabase {
    const db = openSqliteDatabase({ path: options.path, busyTimeoutMs: options.busyTimeoutMs })
    try {
      if (options.syncEachCommit) db.exec('PRAGMA synchronous = FULL')
      handle = { db, statements: prepare(db), identity: onDisk ? identityOf(options.path) : undefined }
    } catch (error) {
      db.close()
      throw error
    }
    return handle
  }

  function current(): OpenDatabase {
    if (closed) throw new Error(`The record writer for ${options.path} is closed.`)
    if (handle !== undefined && onDisk && !sameFile(handle.identity, identityOf(options.path))) {
      handle.db.close()
      handle = undefined
    }
    return handle ?? open()
  }

  open()
  return {
    commit(batch) {
      const { db, statements } = current()
      db.exec('BEGIN IMMEDIATE')
      try {
        for (const rows of batch) {
          statements.upsertRequest.run(...requestRowValues(rows.request))
          statements.deleteCandidates.run(rows.request.request_id)
          for (const candidate of rows.candidates) statements.insertCandidate.run(...candidateRowValues(candidate))
        }
        db.exec('COMMIT')
      } catch (error) {
        // A failed COMMIT can leave the transaction open; roll back so the next batch starts clean.
        if (db.isTransaction) db.exec('ROLLBACK')
        throw error
      }
    },
    get isOpen() {
      return !closed
    },
    close() {
      closed = true
      handle?.db.close()
      handle = undefined
    },
  }
}

interface OpenDatabase {
  readonly db: DatabaseSync
  readonly statements: ReturnType<typeof prepare>
  readonly identity: FileIdentity | undefined
}

function sameFile(opened: FileIdentity | undefined, now: FileIdentity | undefined): boolean {
  return opened !== undefined && now !== undefined && opened.dev === now.dev && opened.ino === now.ino
}

function prepare(db: DatabaseSync) {
  return {
    upsertRequest: db.prepare(upsertRequestSql),
    deleteCandidates: db.prepare(deleteCandidatesSql),
    insertCandidate: db.prepare(insertCandidateSql),
  }
}
