import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BonbonError } from '../../src/errors.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { createSqliteSink, type SqliteSink, type SqliteSinkOptions } from '../../src/log/sqlite-sink.node.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { makeRecords } from './preference-record-fixture.js'

let folder: string
let path: string
let spillPath: string
let errors: BonbonError[]
const opened: SqliteSink[] = []

function openSink(options: Partial<SqliteSinkOptions> = {}): SqliteSink {
  const sink = createSqliteSink({ path, onError: (error) => errors.push(error), ...options })
  opened.push(sink)
  return sink
}

function readAll(): PreferenceRecord[] {
  const store = openSqliteStore(path)
  try {
    return [...store.readRecords()]
  } finally {
    store.close()
  }
}

function spillLines(): string[] {
  return readFileSync(spillPath, 'utf8').split('\n').filter((line) => line !== '')
}

/** Holds the database's write lock from another connection, as a second process would. */
function lockStore(): { release(): void } {
  const other = new DatabaseSync(path)
  other.exec('BEGIN EXCLUSIVE')
  return {
    release() {
      other.exec('ROLLBACK')
      other.close()
    },
  }
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-spill-'))
  path = join(folder, 'bonbon.db')
  spillPath = `${path}.spill.jsonl`
  errors = []
})

afterEach(async () => {
  vi.useRealTimers()
  for (const sink of opened.splice(0)) await sink.close().catch(() => undefined)
  rmSync(folder, { recursive: true, force: true })
})

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
    expect(errors.map((error) => error.code)).toEqual(['log_write_failed'])
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
    expect(existsSync(spillPath)).toBe(false)
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
    expect(errors.map((error) => error.code)).toEqual(['log_write_failed', 'log_write_failed'])
    lock.release()
    vi.advanceTimersByTime(199)
    expect(sink.replayed).toBe(0)
    vi.advanceTimersByTime(1)
    expect(sink.replayed).toBe(2)
    expect(readAll()).toEqual(records)
  })

  it('replays a spill file left by an earlier process at start-up, before any write', async () => {
    const records = makeRecords(3)
    writeFileSync(spillPath, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    const sink = openSink()
    expect(sink.replayed).toBe(3)
    expect(existsSync(spillPath)).toBe(false)
    expect(readAll()).toEqual(records)
  })

  it('replays idempotently: records already stored are stored once, as in the spill file', async () => {
    const records = makeRecords(2)
    const first = openSink()
    for (const record of records) await first.write(record)
    await first.close()
    // A crash between the replay's commit and the file's removal leaves both.
    writeFileSync(spillPath, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    openSink()
    expect(readAll()).toEqual(records)
  })

  it('skips a torn last line with a warning, replays the rest and keeps the fragment in .rejected', async () => {
    const [whole, torn] = makeRecords(2)
    const tornText = JSON.stringify(torn).slice(0, 57)
    writeFileSync(spillPath, `${JSON.stringify(whole)}\n${tornText}`)
    const sink = openSink()
    expect(sink.replayed).toBe(1)
    expect(errors.map((error) => error.code)).toEqual(['spill_line_skipped'])
    expect(errors[0]!.message).toMatch(/line 2 is torn/)
    expect(readAll()).toEqual([whole])
    expect(readFileSync(`${spillPath}.rejected`, 'utf8')).toBe(`${tornText}\n`)
  })

  it('skips lines that are not records, naming the line, without losing the records around them', async () => {
    const [first, second] = makeRecords(2)
    const lines = [JSON.stringify(first), '{"requestId": 7}', 'not json', JSON.stringify(second)]
    writeFileSync(spillPath, `${lines.join('\n')}\n`)
    openSink()
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/line 2 .*requestId/),
      expect.stringMatching(/line 3 is not JSON/),
    ])
    expect(readAll()).toEqual([first, second])
  })

  it('leaves the spill file in place when the replay fails, and replays it once the store works', async () => {
    const records = makeRecords(2)
    await openSink().close()
    const intruder = new DatabaseSync(path)
    intruder.exec("CREATE TRIGGER refuse BEFORE INSERT ON requests BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    appendFileSync(spillPath, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    const sink = openSink()
    try {
      expect(sink.replayed).toBe(0)
      expect(errors.map((error) => error.code)).toEqual(['log_write_failed'])
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
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
    await sink.write(after!)
    await sink.flush()
    expect(readAll()).toEqual([after])
  })
})
