/**
 * The RATE audit cache in the preference log's SQLite file (table `audit_cache`, migration 0002),
 * so that an interrupted `bonbon audit rate` resumes where it stopped.
 * @module
 */
import { openSqliteDatabase } from '../log/sqlite-store.node.js'
import type { AuditCache } from './audit-cache.js'

/** An {@link AuditCache} backed by a SQLite file. */
export interface SqliteAuditCache extends AuditCache {
  /** Entries stored (every model and attribute). */
  count(): number
  /** Closes the database; idempotent. */
  close(): void
}

/**
 * Opens (creating when missing) the database at `path`, brings its schema up to date and uses its
 * `audit_cache` table. Each output is committed as soon as it arrives, so a killed process loses
 * only the calls that were still in flight.
 */
export function openSqliteAuditCache(path: string): SqliteAuditCache {
  const db = openSqliteDatabase({ path })
  const select = db.prepare('SELECT value FROM audit_cache WHERE key = ?')
  const insert = db.prepare(
    'INSERT INTO audit_cache (key, kind, model, value, created_at) ' +
      "VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ON CONFLICT (key) DO NOTHING",
  )
  const total = db.prepare('SELECT COUNT(*) AS total FROM audit_cache')
  return {
    async get(key) {
      const value = select.get(key)?.['value']
      return typeof value === 'string' ? value : undefined
    },
    async set(key, entry) {
      insert.run(key, entry.kind, entry.model, entry.value)
    },
    count() {
      const value = total.get()?.['total']
      if (typeof value !== 'number') throw new TypeError('COUNT(*) returned no number.')
      return value
    },
    close() {
      if (db.isOpen) db.close()
    },
  }
}
