import { DatabaseSync, type SQLInputValue } from 'node:sqlite'
import type { D1DatabaseBinding, D1Statement, D1Value } from '../../src/edge/cloudflare-bindings.js'
import { migrations } from '../../src/log/migrations.js'

/**
 * D1's binding API over an in-memory node:sqlite database, for the consumer's unit tests in Node
 * (the Worker itself is tested against real local D1 in workerd). D1 is SQLite, and `batch()` is a
 * transaction, as here.
 */
export function createSqliteD1(options: { migrated?: boolean } = {}): D1DatabaseBinding & { readonly db: DatabaseSync } {
  const db = new DatabaseSync(':memory:')
  if (options.migrated ?? true) for (const migration of migrations) db.exec(migration.sql)

  const statement = (sql: string, values: readonly D1Value[]): D1Statement & { run(): void } => ({
    bind: (...next) => statement(sql, next),
    async all<T>() {
      return { results: db.prepare(sql).all(...(values as SQLInputValue[])) as T[] }
    },
    run() {
      db.prepare(sql).run(...(values as SQLInputValue[]))
    },
  })

  return {
    db,
    prepare: (sql) => statement(sql, []),
    async batch(statements) {
      db.exec('BEGIN')
      try {
        for (const item of statements) (item as ReturnType<typeof statement>).run()
        db.exec('COMMIT')
      } catch (error) {
        db.exec('ROLLBACK')
        throw error
      }
      return statements.map(() => ({ success: true }))
    },
  }
}
