import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { applyMigrations, openSqliteDatabase, openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { makeRecord, makeRecords } from './preference-record-fixture.js'

let folder: string
let path: string

async function store(records: readonly PreferenceRecord[]): Promise<void> {
  const sink = createSqliteSink({ path })
  for (const record of records) await sink.write(record)
  await sink.close()
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-store-'))
  path = join(folder, 'bonbon.db')
})

afterEach(() => {
  rmSync(folder, { recursive: true, force: true })
})

describe('openSqliteStore', () => {
  it('reads records in created_at order whatever order they were written in', async () => {
    const records = makeRecords(5)
    await store([records[3]!, records[0]!, records[4]!, records[1]!, records[2]!])
    const reader = openSqliteStore(path)
    expect([...reader.readRecords()].map((record) => record.requestId)).toEqual(
      records.map((record) => record.requestId),
    )
    reader.close()
  })

  it('filters by since (inclusive), until (exclusive), model and minN', async () => {
    const records = makeRecords(6).map((record, i) =>
      i % 2 === 0 ? record : { ...record, model: 'llama-3.1-8b', n: 8 },
    )
    await store(records)
    const reader = openSqliteStore(path)
    const ids = (filter: Parameters<typeof reader.readRecords>[0]) =>
      [...reader.readRecords(filter)].map((record) => record.requestId)
    expect(ids({ since: records[2]!.createdAt, until: new Date(records[4]!.createdAt) })).toEqual([
      'req-0002',
      'req-0003',
    ])
    expect(ids({ model: 'llama-3.1-8b' })).toEqual(['req-0001', 'req-0003', 'req-0005'])
    expect(ids({ minN: 4 })).toEqual(['req-0001', 'req-0003', 'req-0005'])
    expect(ids({ model: 'llama-3.1-8b', since: records[2]!.createdAt })).toEqual(['req-0003', 'req-0005'])
    expect(reader.count()).toBe(6)
    expect(reader.count({ minN: 4, until: records[3]!.createdAt })).toBe(1)
    reader.close()
  })

  it('reads lazily, so a reader can stop after the first record', async () => {
    await store(makeRecords(3))
    const reader = openSqliteStore(path)
    const iterator = reader.readRecords()
    expect(iterator.next().value?.requestId).toBe('req-0000')
    iterator.return?.(undefined)
    expect(reader.count()).toBe(3)
    reader.close()
  })

  it('sees records a live sink commits after the store was opened', async () => {
    await store([])
    const reader = openSqliteStore(path)
    const sink = createSqliteSink({ path })
    await sink.write(makeRecord())
    await sink.flush()
    expect(reader.count()).toBe(1)
    await sink.close()
    reader.close()
  })

  it('throws invalid_record for a stored row that does not validate', async () => {
    await store([makeRecord()])
    const db = new DatabaseSync(path)
    db.exec("UPDATE requests SET messages_json = 'not json'")
    db.close()
    const reader = openSqliteStore(path)
    expect(() => [...reader.readRecords()]).toThrow(expect.objectContaining({ code: 'invalid_record' }))
    reader.close()
  })

  it('refuses a path with no database and creates no file there', () => {
    const missing = join(folder, 'missing.db')
    expect(() => openSqliteStore(missing)).toThrow(InvalidOptionsError)
    expect(existsSync(missing)).toBe(false)
  })
})

describe('applyMigrations', () => {
  it('applies each migration once however often the database is opened', () => {
    const first = openSqliteDatabase({ path })
    expect(applyMigrations(first)).toEqual([])
    first.close()
    const second = openSqliteDatabase({ path })
    expect(second.prepare('SELECT version, file FROM schema_migrations').all()).toEqual([
      { version: 1, file: '0001_init.sql' },
      { version: 2, file: '0002_audit_cache.sql' },
    ])
    second.close()
  })

  it('creates the tables and indexes of the schema', () => {
    const db = openSqliteDatabase({ path })
    const names = db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => row['name'])
    db.close()
    expect(names).toEqual(
      expect.arrayContaining(['requests', 'candidates', 'requests_created_at', 'requests_model', 'schema_migrations']),
    )
  })
})
