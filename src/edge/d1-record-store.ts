import { BonbonError } from '../errors.js'
import {
  candidateRowValues,
  deleteCandidatesSql,
  insertCandidateSql,
  requestRowValues,
  upsertRequestSql,
  type RecordRows,
} from '../log/record-schema.js'
import type { D1DatabaseBinding, D1Statement } from './cloudflare-bindings.js'

/**
 * The statements that store one record: upsert the request, delete its candidates, insert them again.
 * Run them in one `batch()`, which D1 runs as one transaction, so a record is stored whole or not at
 * all, and writing it twice (a retried queue message) leaves one copy.
 */
export function recordStatements(database: D1DatabaseBinding, rows: RecordRows): D1Statement[] {
  return [
    database.prepare(upsertRequestSql).bind(...requestRowValues(rows.request)),
    database.prepare(deleteCandidatesSql).bind(rows.request.request_id),
    ...rows.candidates.map((candidate) => database.prepare(insertCandidateSql).bind(...candidateRowValues(candidate))),
  ]
}

/** The tables a record is written to; migrations/0001_init.sql creates them. */
const requiredTables = ['requests', 'candidates'] as const

// Keyed by the binding object: one check per isolate and database, however many sinks or consumers.
const verified = new WeakSet<object>()

/**
 * Checks once per isolate that the database has bonbon's tables, so a missing migration is reported
 * as such instead of as "no such table" on every write. Only success is remembered: applying the
 * migrations heals a running Worker without a redeploy.
 * @throws BonbonError with code `log_schema_missing`, saying which command creates the tables.
 */
export async function checkD1Schema(database: D1DatabaseBinding, binding: string): Promise<void> {
  if (verified.has(database)) return
  const { results } = await database
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${requiredTables.map(() => '?').join(', ')})`)
    .bind(...requiredTables)
    .all<{ name: unknown }>()
  const present = new Set(results.map((row) => row.name))
  const missing = requiredTables.filter((table) => !present.has(table))
  if (missing.length > 0) {
    throw new BonbonError(
      'log_schema_missing',
      `The D1 database bound as ${binding} has no bonbon schema (missing table${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')}). Apply the migrations: \`wrangler d1 migrations apply ${binding} --remote\` ` +
        `(\`--local\` for wrangler dev).`,
    )
  }
  verified.add(database)
}
