import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { migrations } from '../../src/log/migrations.js'

const migrationsFolder = new URL('../../migrations/', import.meta.url)

describe('migrations', () => {
  it('embeds exactly the .sql files of migrations/, in file-name order', () => {
    const files = readdirSync(migrationsFolder)
      .filter((name) => name.endsWith('.sql'))
      .sort()
    expect(migrations.map((migration) => migration.file)).toEqual(files)
  })

  it('embeds each migration byte for byte as the file holds it', () => {
    for (const migration of migrations) {
      const onDisk = readFileSync(new URL(migration.file, migrationsFolder), 'utf8')
      expect(migration.sql, migration.file).toBe(onDisk)
    }
  })

  it('numbers versions 1, 2, ... as the file names do', () => {
    migrations.forEach((migration, position) => {
      expect(migration.version).toBe(position + 1)
      expect(Number.parseInt(migration.file, 10)).toBe(migration.version)
    })
  })

  it('contains no statement Cloudflare D1 refuses (transactions, pragmas)', () => {
    for (const migration of migrations) {
      const statements = migration.sql.replace(/--.*$/gm, '')
      expect(statements).not.toMatch(/\b(BEGIN|COMMIT|ROLLBACK|PRAGMA)\b/i)
    }
  })
})
