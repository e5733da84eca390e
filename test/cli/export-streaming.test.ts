import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport } from '../../src/cli/export-command.node.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { openSqliteStore, type SqliteStore } from '../../src/log/sqlite-store.node.js'
import { makeRecords } from '../log/preference-record-fixture.js'

const total = 5_000
let folder: string
let store: string

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-export-stream-'))
  store = join(folder, 'bonbon.db')
  const sink = createSqliteSink({ path: store, batchSize: 500 })
  for (const [i, record] of makeRecords(total).entries()) {
    await sink.write({
      ...record,
      requestId: `req-${String(i).padStart(5, '0')}`,
      createdAt: new Date(Date.UTC(2025, 2, 1) + i * 1_000).toISOString(),
      messages: [{ role: 'user', content: `question ${i}` }],
      candidates: record.candidates.map((candidate) => ({ ...candidate, text: `${candidate.text} #${i}` })),
    })
  }
  await sink.close()
})

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

describe('bonbon export on a large log', () => {
  it('reads the store lazily and holds reading back while the output is full', async () => {
    let pulled = 0
    let received = 0
    let mostAhead = 0
    let mostBuffered = 0
    let longestLine = 0
    const countingStore = (path: string): SqliteStore => {
      const real = openSqliteStore(path)
      return {
        ...real,
        *readRecords(filter) {
          for (const record of real.readRecords(filter)) {
            pulled += 1
            yield record
          }
        },
      }
    }
    // A consumer slower than the export: each line is taken one macrotask later, like a disk or a pipe.
    const output = new Writable({
      highWaterMark: 1_024,
      write(chunk: Buffer, _encoding, callback) {
        received += 1
        longestLine = Math.max(longestLine, chunk.length)
        mostAhead = Math.max(mostAhead, pulled - received)
        mostBuffered = Math.max(mostBuffered, this.writableLength)
        setImmediate(callback)
      },
    })
    const summary = await runExport(
      { config: '', store, format: 'bonbon', out: join(folder, 'unused.jsonl') },
      { openStore: countingStore, openOutput: () => output, stderr: new PassThrough() },
    )
    expect(summary).toMatchObject({ read: total, written: total })
    expect([pulled, received]).toEqual([total, total])
    // Read ahead of the consumer by no more than the output's buffer holds, not by the whole log.
    expect(mostAhead).toBeLessThanOrEqual(Math.ceil(1_024 / longestLine) + 2)
    expect(mostBuffered).toBeLessThan(1_024 + longestLine)
  })
})
