import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it, vi } from 'vitest'
import { makeRecords } from './preference-record-fixture.js'
import { useSqliteSinkFixture } from './sqlite-sink-fixture.js'

const fixture = useSqliteSinkFixture({ prefix: 'bonbon-spill-' })
const { openSink, readAll, spillLines, lockStore } = fixture

describe('createSqliteSink spill file', () => {
  it('spills records to <path>.spill.jsonl, one JSON record per line, while another connection holds the lock', async () => {
    const sink = openSink({ busyTimeoutMs: 0 })
    const records = makeRecords(3)
    const lock = lockStore()
    try {
      for (const record of records) await sink.write(record)
      await sink.flush()
    } finally {
      lock.release()
    }
    expect(fixture.errors.map((error) => error.code)).toEqual(['log_write_failed'])
    expect(sink.spilled).toBe(3)
    expect(spillLines().map((line) => JSON.parse(line) as unknown)).toEqual(records)
  })

  it('replays spilled records into the store with the next successful batch and removes the spill file', async () => {
    const sink = openSink({ busyTimeoutMs: 0 })
    const [first, second, third] = makeRecords(3)
    const lock = lockStore()
    try {
      await sink.write(first!)
      await sink.write(second!)
      await sink.flush()
    } finally {
      lock.release()
    }
    await sink.write(third!)
    await sink.flush()
    expect(sink.replayed).toBe(2)
    expect(existsSync(fixture.spillPath)).toBe(false)
    expect(readAll()).toEqual([first, second, third])
  })

  it('retries a failing store on its own, with no new writes, and replays the spill file once it works', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] })
    const sink = openSink({ busyTimeoutMs: 0, flushIntervalMs: 100 })
    const records = makeRecords(2)
    const lock = lockStore()
    for (const record of records) await sink.write(record)
    vi.advanceTimersByTime(100)
    expect(sink.spilled).toBe(2)
    vi.advanceTimersByTime(100)
    // Backed off: 100 ms after the first failure, then 200 ms after the second.
    expect(fixture.errors.map((error) => error.code)).toEqual(['log_write_failed', 'log_write_failed'])
    lock.release()
    vi.advanceTimersByTime(199)
    expect(sink.replayed).toBe(0)
    vi.advanceTimersByTime(1)
    expect(sink.replayed).toBe(2)
    expect(readAll()).toEqual(records)
  })

  it('replays a spill file left by an earlier process at start-up, before any write', async () => {
    const records = makeRecords(3)
    writeFileSync(fixture.spillPath, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    const sink = openSink()
    expect(sink.replayed).toBe(3)
    expect(existsSync(fixture.spillPath)).toBe(false)
    expect(readAll()).toEqual(records)
  })

  it('replays idempotently: records already stored are stored once, as in the spill file', async () => {
    const records = makeRecords(2)
    const first = openSink()
    for (const record of records) await first.write(record)
    await first.close()
    // A crash between the replay's commit and the file's removal leaves both.
    writeFileSync(fixture.spillPath, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    openSink()
    expect(readAll()).toEqual(records)
  })

  it('skips a torn last line with a warning, replays the rest and keeps the fragment in .rejected', async () => {
    const [whole, torn] = makeRecords(2)
    const tornText = JSON.stringify(torn).slice(0, 57)
    writeFileSync(fixture.spillPath, `${JSON.stringify(whole)}\n${tornText}`)
    const sink = openSink()
    expect(sink.replayed).toBe(1)
    expect(fixture.errors.map((error) => error.code)).toEqual(['spill_line_skipped'])
    expect(fixture.errors[0]!.message).toMatch(/line 2 is torn/)
    expect(readAll()).toEqual([whole])
    expect(readFileSync(`${fixture.spillPath}.rejected`, 'utf8')).toBe(`${tornText}\n`)
  })

  it('skips lines that are not records, naming the line, without losing the records around them', async () => {
    const [first, second] = makeRecords(2)
    const lines = [JSON.stringify(first), '{"requestId": 7}', 'not json', JSON.stringify(second)]
    writeFileSync(fixture.spillPath, `${lines.join('\n')}\n`)
    openSink()
    expect(fixture.errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/line 2 .*requestId/),
      expect.stringMatching(/line 3 is not JSON/),
    ])
    expect(readAll()).toEqual([first, second])
  })

  it('leaves the spill file in place when the replay fails, and replays it once the store works', async () => {
    const records = makeRecords(2)
    await openSink().close()
    const intruder = new DatabaseSync(fixture.path)
    intruder.exec("CREATE TRIGGER refuse BEFORE INSERT ON requests BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    appendFileSync(fixture.spillPath, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    const sink = openSink()
    try {
      expect(sink.replayed).toBe(0)
      expect(fixture.errors.map((error) => error.code)).toEqual(['log_write_failed'])
      expect(spillLines()).toHaveLength(2)
      intruder.exec('DROP TRIGGER refuse')
    } finally {
      intruder.close()
    }
    await sink.flush()
    expect(sink.replayed).toBe(2)
    expect(readAll()).toEqual(records)
  })

  it('reopens the database when its file is deleted, instead of writing into the deleted file', async () => {
    const [before, after] = makeRecords(2)
    const sink = openSink()
    await sink.write(before!)
    await sink.flush()
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${fixture.path}${suffix}`, { force: true })
    await sink.write(after!)
    await sink.flush()
    expect(readAll()).toEqual([after])
  })
})
