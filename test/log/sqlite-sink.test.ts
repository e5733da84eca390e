import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it, vi } from 'vitest'
import { BonbonError, InvalidOptionsError } from '../../src/errors.js'
import { migrations } from '../../src/log/migrations.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { makeRecord, makeRecords } from './preference-record-fixture.js'
import { useSqliteSinkFixture } from './sqlite-sink-fixture.js'

const fixture = useSqliteSinkFixture({ prefix: 'bonbon-sink-', file: join('nested', 'bonbon.db'), collectErrors: false })
const { openSink, readAll } = fixture

describe('createSqliteSink', () => {
  it('stores a record that reads back deeply equal, nulls and unicode included', async () => {
    const sink = openSink()
    const record = makeRecord()
    await sink.write(record)
    await sink.flush()
    expect(readAll()).toEqual([record])
  })

  it('returns from write before anything is committed', async () => {
    const sink = openSink()
    await sink.write(makeRecord())
    expect(sink.pending).toBe(1)
    expect(sink.committedBatches).toBe(0)
  })

  it('commits N flushed records in ceil(N / batchSize) transactions', async () => {
    const sink = openSink({ batchSize: 64 })
    for (const record of makeRecords(130)) await sink.write(record)
    await sink.flush()
    expect(sink.committedBatches).toBe(3)
    expect(sink.pending).toBe(0)
    expect(readAll()).toHaveLength(130)
  })

  it('writes full batches as soon as batchSize records are queued, the rest on the interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] })
    const sink = openSink({ batchSize: 4, flushIntervalMs: 200 })
    for (const record of makeRecords(10)) await sink.write(record)
    expect(sink.committedBatches).toBe(0)
    vi.advanceTimersByTime(0)
    expect(sink.committedBatches).toBe(2)
    expect(sink.pending).toBe(2)
    vi.advanceTimersByTime(200)
    expect(sink.committedBatches).toBe(3)
    expect(sink.pending).toBe(0)
  })

  it('commits a lone record flushIntervalMs after it was queued', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] })
    const sink = openSink({ flushIntervalMs: 200 })
    await sink.write(makeRecord())
    vi.advanceTimersByTime(199)
    expect(sink.pending).toBe(1)
    vi.advanceTimersByTime(1)
    expect(sink.pending).toBe(0)
    expect(sink.committedBatches).toBe(1)
    expect(readAll()).toEqual([makeRecord()])
  })

  it('keeps records across reopening and appends new ones', async () => {
    const [first, second, third] = makeRecords(3)
    const sink = openSink()
    await sink.write(first!)
    await sink.write(second!)
    await sink.close()
    const reopened = openSink()
    await reopened.write(third!)
    await reopened.close()
    expect(readAll()).toEqual([first, second, third])
  })

  it('stores a replayed record once, as its latest version', async () => {
    const record = makeRecord()
    const replay = makeRecord({ candidates: record.candidates.slice(0, 1), chosen: 0, best: 0, worst: 0 })
    const sink = openSink()
    await sink.write(record)
    await sink.write(record)
    await sink.flush()
    await sink.write(replay)
    await sink.close()
    const again = openSink()
    await again.write(replay)
    await again.close()
    expect(readAll()).toEqual([replay])
  })

  it('rejects a write after close with a sink_closed error', async () => {
    const sink = openSink()
    await sink.close()
    const error = await sink.write(makeRecord()).then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(BonbonError.isInstance(error) && error.code).toBe('sink_closed')
    expect(String(error)).toMatch(/closed/)
  })

  it('opens the database in WAL mode', async () => {
    const sink = openSink()
    await sink.flush()
    const db = new DatabaseSync(fixture.path)
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    } finally {
      db.close()
    }
  })

  it('refuses an invalid record at write without blocking the records after it', async () => {
    const sink = openSink()
    const record = makeRecord()
    const invalid = { ...record, requestId: 'bad', candidates: [record.candidates[0]!, record.candidates[0]!] }
    await expect(sink.write(invalid)).rejects.toMatchObject({ code: 'invalid_record' })
    await sink.write(record)
    await sink.flush()
    expect(readAll()).toEqual([record])
  })

  it('spills a batch the store refuses and replays it at a flush after the table is back', async () => {
    const errors: BonbonError[] = []
    const sink = openSink({ onError: (error) => errors.push(error) })
    const records = makeRecords(3)
    const intruder = new DatabaseSync(fixture.path)
    try {
      intruder.exec('DROP TABLE candidates')
      for (const record of records) await sink.write(record)
      await sink.flush()
      expect(errors.map((error) => error.code)).toEqual(['log_write_failed'])
      expect(sink.pending).toBe(0)
      expect(sink.spilled).toBe(3)
      expect(readFileSync(fixture.spillPath, 'utf8').trim().split('\n')).toHaveLength(3)
      // The schema's IF NOT EXISTS lets it recreate just the dropped table.
      intruder.exec(migrations[0]!.sql)
    } finally {
      intruder.close()
    }
    await sink.flush()
    expect(sink.replayed).toBe(3)
    expect(existsSync(fixture.spillPath)).toBe(false)
    expect(readAll()).toEqual(records)
  })

  it('commits a batch all or nothing: one refused row sends the whole batch to the spill file', async () => {
    const sink = openSink({ onError: () => undefined })
    const records = makeRecords(3)
    const intruder = new DatabaseSync(fixture.path)
    try {
      intruder.exec(
        "CREATE TRIGGER refuse_last BEFORE INSERT ON requests WHEN NEW.request_id = 'req-0002' " +
          "BEGIN SELECT RAISE(ABORT, 'refused'); END",
      )
      for (const record of records) await sink.write(record)
      await sink.flush()
      expect(readAll()).toEqual([])
      expect(sink.spilled).toBe(3)
      intruder.exec('DROP TRIGGER refuse_last')
    } finally {
      intruder.close()
    }
    await sink.flush()
    expect(readAll()).toEqual(records)
    expect(sink.committedBatches).toBe(1)
  })

  it('reports a background failure to onError and retries the store after the interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] })
    const errors: BonbonError[] = []
    const sink = openSink({ busyTimeoutMs: 0, onError: (error) => errors.push(error) })
    const [first, second] = makeRecords(2)
    const other = new DatabaseSync(fixture.path)
    try {
      other.exec('BEGIN IMMEDIATE')
      await sink.write(first!)
      vi.advanceTimersByTime(200)
      expect(errors.map((error) => error.code)).toEqual(['log_write_failed'])
      expect(sink.pending).toBe(0)
      expect(sink.spilled).toBe(1)
      other.exec('COMMIT')
    } finally {
      other.close()
    }
    await sink.write(second!)
    vi.advanceTimersByTime(200)
    expect(sink.pending).toBe(0)
    expect(sink.replayed).toBe(1)
    expect(errors).toHaveLength(1)
    expect(readAll()).toEqual([first, second])
  })

  it('keeps the database open when the final flush of close fails, so close can be retried', async () => {
    // A folder where the spill file should be: the spill fails too, so the record can only stay queued.
    const sink = openSink({ busyTimeoutMs: 0, spillPath: fixture.folder, onError: () => undefined })
    const record = makeRecord()
    await sink.write(record)
    const other = new DatabaseSync(fixture.path)
    try {
      other.exec('BEGIN IMMEDIATE')
      await expect(sink.close()).rejects.toMatchObject({ code: 'log_spill_failed' })
      expect(sink.pending).toBe(1)
      await expect(sink.write(makeRecord({ requestId: 'late' }))).rejects.toMatchObject({ code: 'sink_closed' })
      other.exec('ROLLBACK')
    } finally {
      other.close()
    }
    await sink.close()
    expect(readAll()).toEqual([record])
  })

  it('throws InvalidOptionsError at construction for invalid options', () => {
    expect(() => createSqliteSink({ path: '' })).toThrow(InvalidOptionsError)
    expect(() => createSqliteSink({ path: fixture.path, batchSize: 0 })).toThrow(/batchSize/)
    expect(() => createSqliteSink({ path: fixture.path, flushIntervalMs: 1.5 })).toThrow(/flushIntervalMs/)
    expect(() => createSqliteSink({ path: fixture.path, busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/)
    expect(() => createSqliteSink({ path: fixture.path, batchSize: 64, maxQueue: 10 })).toThrow(/maxQueue/)
    expect(() => createSqliteSink({ path: fixture.path, durability: 'eventually' as 'sync' })).toThrow(/durability/)
    expect(() => createSqliteSink({ path: fixture.path, spillPath: fixture.path })).toThrow(/spillPath/)
  })
})
