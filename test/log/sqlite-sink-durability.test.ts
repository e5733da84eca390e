import { describe, expect, it, vi } from 'vitest'
import { makeRecord, makeRecords } from './preference-record-fixture.js'
import { useSqliteSinkFixture } from './sqlite-sink-fixture.js'

const fixture = useSqliteSinkFixture({ prefix: 'bonbon-durability-' })
const { openSink, readAll, lockStore } = fixture

function spilledIds(): string[] {
  return fixture.spillLines().map((line) => (JSON.parse(line) as { requestId: string }).requestId)
}

describe("createSqliteSink durability 'sync'", () => {
  it('resolves a write only once its record is committed, long before the flush interval', async () => {
    const sink = openSink({ durability: 'sync', flushIntervalMs: 60_000 })
    const record = makeRecord()
    const written = sink.write(record)
    expect(readAll()).toEqual([])
    await written
    expect(readAll()).toEqual([record])
    expect(sink.durable).toBe(true)
  })

  it('commits concurrent writes together: 100 writes in one turn make ceil(100 / batchSize) transactions', async () => {
    const sink = openSink({ durability: 'sync', batchSize: 64 })
    const records = makeRecords(100)
    await Promise.all(records.map((record) => sink.write(record)))
    expect(sink.committedBatches).toBe(2)
    expect(readAll()).toHaveLength(100)
  })

  it('resolves a write once its record is in the spill file when the store is locked', async () => {
    const sink = openSink({ durability: 'sync', busyTimeoutMs: 0 })
    const records = makeRecords(3)
    const lock = lockStore()
    try {
      await Promise.all(records.map((record) => sink.write(record)))
      expect(spilledIds()).toEqual(records.map((record) => record.requestId))
      expect(sink.pending).toBe(0)
    } finally {
      lock.release()
    }
    await sink.flush()
    expect(readAll()).toEqual(records)
  })

  it('rejects a write that neither the store nor the spill file took, and stores it marked withheld once the store recovers', async () => {
    const sink = openSink({ durability: 'sync', busyTimeoutMs: 0, spillPath: fixture.folder })
    const record = makeRecord()
    const lock = lockStore()
    try {
      await expect(sink.write(record)).rejects.toMatchObject({ code: 'log_spill_failed' })
      expect(sink.pending).toBe(1)
    } finally {
      lock.release()
    }
    await sink.flush()
    // Its writer was told it failed, so the client got a 500: the store must not claim an answer.
    expect(readAll()).toEqual([{ ...record, chosen: null, degraded: expect.stringMatching(/^failed: log_write_failed/) }])
    expect(sink.dropped).toBe(0)
  })
})

describe('createSqliteSink bounded queue', () => {
  it('sends writes beyond maxQueue to the spill file instead of memory while the store is stuck', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] })
    const sink = openSink({ busyTimeoutMs: 0, batchSize: 10, maxQueue: 10 })
    const records = makeRecords(25)
    const lock = lockStore()
    try {
      for (const record of records) await sink.write(record)
      expect(sink.pending).toBe(10)
      expect(sink.spilled).toBe(15)
      vi.advanceTimersByTime(0)
      expect(sink.pending).toBe(0)
      expect(sink.spilled).toBe(25)
    } finally {
      lock.release()
    }
    await sink.flush()
    expect(readAll()).toEqual(records)
    expect(sink.dropped).toBe(0)
  })

  it('drops a record only when the queue is full and the spill file fails too, and says so once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] })
    const sink = openSink({ busyTimeoutMs: 0, batchSize: 2, maxQueue: 2, spillPath: fixture.folder })
    const records = makeRecords(4)
    const lock = lockStore()
    try {
      await sink.write(records[0]!)
      await sink.write(records[1]!)
      await expect(sink.write(records[2]!)).rejects.toMatchObject({ code: 'log_record_dropped' })
      await expect(sink.write(records[3]!)).rejects.toMatchObject({ code: 'log_record_dropped' })
      expect(sink.dropped).toBe(2)
      expect(fixture.errors.map((error) => error.code)).toEqual(['log_record_dropped'])
    } finally {
      lock.release()
    }
    await sink.flush()
    expect(readAll()).toEqual(records.slice(0, 2))
  })
})
