import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { BonbonError, InvalidOptionsError, describeError } from '../errors.js'
import { migrations } from './migrations.js'
import { parsePreferenceRecord } from './preference-record-schema.js'
import { readLines, readTextChunks } from './read-text-chunks.node.js'
import {
  candidateRowValues,
  deleteCandidatesSql,
  insertCandidateSql,
  requestRowValues,
  toRecordRows,
  upsertRequestSql,
} from './record-schema.js'
import { createSqlStatementSplitter } from './sql-statement-splitter.js'
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store.node.js'

/** The kinds of preference-log files `bonbon export` and `bonbon stats` read. */
export type RecordSourceKind = 'sqlite' | 'd1-export' | 'jsonl'

/** Which kind a path holds, by its extension: `.sql` a D1 export, `.jsonl`/`.ndjson` records, else SQLite. */
export function recordSourceKind(path: string): RecordSourceKind {
  const extension = extname(path).toLowerCase()
  if (extension === '.sql') return 'd1-export'
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl'
  return 'sqlite'
}

/**
 * Opens any preference-log file for reading, as a {@link SqliteStore}: a SQLite store as is, a D1
 * export (`wrangler d1 export … --output log.sql`) or a JSONL file of records (a `jsonl` export, or
 * the objects the edge queue consumer writes to R2, concatenated) loaded into a temporary SQLite
 * database first. Filters, order and counts then work the same for all three.
 * @throws InvalidOptionsError when the file does not exist; BonbonError `invalid_record` or
 * `invalid_source` naming the line or statement at fault.
 */
export function openRecordSource(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  switch (recordSourceKind(path)) {
    case 'd1-export':
      return openD1ExportStore(path, options)
    case 'jsonl':
      return openJsonlRecordStore(path, options)
    case 'sqlite':
      return openSqliteStore(path, options)
  }
}

/**
 * Loads a D1 export (the SQL `wrangler d1 export` writes) into a temporary SQLite database and opens
 * it as a store; closing the store deletes the temporary database. Exports with or without the
 * schema (`--no-schema`) both load. The file is read statement by statement.
 * @throws InvalidOptionsError when the file does not exist; BonbonError `invalid_source` naming the
 * statement that failed.
 */
export function openD1ExportStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return withTemporaryDatabase(path, options, (db) => {
    const splitter = createSqlStatementSplitter()
    let count = 0
    let schemaCreated = false
    const run = (statement: string) => {
      count += 1
      try {
        db.exec(statement)
      } catch (error) {
        // A data-only export (--no-schema) inserts into tables it does not create: bonbon's get
        // their schema, the rest (d1_migrations, sqlite_sequence) are not needed.
        const missing = /no such table: (?:main\.)?"?(\w+)/i.exec(describeError(error))?.[1]
        if (missing === undefined) throw invalidStatement(path, count, statement, error)
        if (!bonbonTables.has(missing)) return
        if (schemaCreated) throw invalidStatement(path, count, statement, error)
        createSchema(db)
        schemaCreated = true
        try {
          db.exec(statement)
        } catch (retryError) {
          throw invalidStatement(path, count, statement, retryError)
        }
      }
    }
    db.exec('BEGIN')
    for (const chunk of readTextChunks(path)) for (const statement of splitter.push(chunk)) run(statement)
    const last = splitter.end()
    if (last !== undefined) run(last)
    db.exec('COMMIT')
  })
}

/**
 * Loads a JSONL file of preference records (one JSON record per line; blank lines skipped) into a
 * temporary SQLite database and opens it as a store; closing it deletes the temporary database. A
 * record repeated (a queue message delivered twice) is kept once. The file is read line by line.
 * @throws InvalidOptionsError when the file does not exist; BonbonError `invalid_record` naming the
 * line that is not a record.
 */
export function openJsonlRecordStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return withTemporaryDatabase(path, options, (db) => {
    createSchema(db)
    const upsertRequest = db.prepare(upsertRequestSql)
    const deleteCandidates = db.prepare(deleteCandidatesSql)
    const insertCandidate = db.prepare(insertCandidateSql)
    db.exec('BEGIN')
    for (const line of readLines(path)) {
      if (line.text.trim() === '') continue
      const where = `${path} line ${line.number}`
      let value: unknown
      try {
        value = JSON.parse(line.text)
      } catch (error) {
        throw new BonbonError('invalid_record', `${where} is not JSON: ${describeError(error)}`)
      }
      const rows = toRecordRows(parsePreferenceRecord(value, where))
      upsertRequest.run(...requestRowValues(rows.request))
      deleteCandidates.run(rows.request.request_id)
      for (const candidate of rows.candidates) insertCandidate.run(...candidateRowValues(candidate))
    }
    db.exec('COMMIT')
  })
}

/** Tables the preference-log migrations create. */
const bonbonTables = new Set(['requests', 'candidates', 'audit_cache'])

function createSchema(db: DatabaseSync): void {
  for (const migration of migrations) db.exec(migration.sql)
}

function invalidStatement(path: string, count: number, statement: string, error: unknown): BonbonError {
  const excerpt = statement.length > 120 ? `${statement.slice(0, 120)}…` : statement
  return new BonbonError('invalid_source', `${path}, statement ${count} (${excerpt}): ${describeError(error)}`, {
    cause: error,
  })
}

/** Fills a fresh temporary database with `load`, then opens it as a store that deletes it on close. */
function withTemporaryDatabase(
  path: string,
  options: SqliteStoreOptions,
  load: (db: DatabaseSync) => void,
): SqliteStore {
  if (!existsSync(path)) throw new InvalidOptionsError(`No preference log at ${path}.`, { key: 'source' })
  const folder = mkdtempSync(join(tmpdir(), 'bonbon-source-'))
  const remove = () => rmSync(folder, { recursive: true, force: true })
  const file = join(folder, 'records.db')
  try {
    // A throwaway copy: no journal, no fsync, no foreign keys (a dump inserts children in any order).
    const db = new DatabaseSync(file, { enableForeignKeyConstraints: false })
    try {
      db.exec('PRAGMA journal_mode = OFF')
      db.exec('PRAGMA synchronous = OFF')
      load(db)
    } finally {
      db.close()
    }
    // Opening applies the migrations the dump lacks, as for any store.
    const store = openSqliteStore(file, options)
    return {
      readRecords: (filter) => store.readRecords(filter),
      count: (filter) => store.count(filter),
      close() {
        store.close()
        remove()
      },
    }
  } catch (error) {
    remove()
    throw error
  }
}
