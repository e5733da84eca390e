import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BonbonError } from '../../src/errors.js'
import type { RecordRows } from '../../src/log/record-schema.js'
import { toRecordRows } from '../../src/log/record-schema.js'
import { appendSpillLines, replaySpillFile, spillLine } from '../../src/log/spill-file.node.js'
import { makeRecords } from './preference-record-fixture.js'

let folder: string
let path: string

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-spill-file-'))
  path = join(folder, 'nested', 'bonbon.db.spill.jsonl')
})

afterEach(() => {
  rmSync(folder, { recursive: true, force: true })
})

function replayAll(batchSize = 2) {
  const batches: string[][] = []
  const skipped: BonbonError[] = []
  const result = replaySpillFile(path, {
    batchSize,
    commit: (batch: readonly RecordRows[]) => batches.push(batch.map((rows) => rows.request.request_id)),
    onSkip: (error) => skipped.push(error),
  })
  return { result, batches, skipped }
}

describe('appendSpillLines', () => {
  it('creates the file and its folder and appends one line per record', () => {
    const records = makeRecords(3)
    appendSpillLines(path, records.slice(0, 2).map((record) => spillLine(toRecordRows(record))), { sync: true })
    appendSpillLines(path, [spillLine(toRecordRows(records[2]!))], { sync: false })
    const lines = readFileSync(path, 'utf8').split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(records)
  })

  it('starts on a new line after a torn tail, so the fragment never swallows the next record', () => {
    const [record] = makeRecords(1)
    path = join(folder, 'torn.spill.jsonl')
    writeFileSync(path, '{"requestId":"torn-by-a-cra')
    appendSpillLines(path, [spillLine(toRecordRows(record!))], { sync: true })
    const { result, batches, skipped } = replayAll()
    expect(batches).toEqual([[record!.requestId]])
    expect(result).toEqual({ records: 1, skipped: 1 })
    expect(skipped[0]!.message).toMatch(/line 1 is not JSON/)
  })
})

describe('replaySpillFile', () => {
  it('commits records in batches of batchSize, in file order, then removes the file', () => {
    const records = makeRecords(5)
    appendSpillLines(path, records.map((record) => spillLine(toRecordRows(record))), { sync: false })
    const { result, batches } = replayAll(2)
    expect(batches).toEqual([
      ['req-0000', 'req-0001'],
      ['req-0002', 'req-0003'],
      ['req-0004'],
    ])
    expect(result).toEqual({ records: 5, skipped: 0 })
    expect(() => readFileSync(path)).toThrow(/ENOENT/)
  })

  it('keeps the file when a commit fails, so nothing is lost for the next attempt', () => {
    const records = makeRecords(3)
    appendSpillLines(path, records.map((record) => spillLine(toRecordRows(record))), { sync: false })
    const before = readFileSync(path, 'utf8')
    expect(() =>
      replaySpillFile(path, {
        batchSize: 2,
        commit: () => {
          throw new Error('disk full')
        },
        onSkip: () => undefined,
      }),
    ).toThrow(/disk full/)
    expect(readFileSync(path, 'utf8')).toBe(before)
  })

  it('reads a file larger than its 1 MiB read buffer, with multi-byte characters across chunk edges', () => {
    const records = makeRecords(400).map((record, i) => ({
      ...record,
      candidates: record.candidates.map((candidate) => ({ ...candidate, text: '🍬é'.repeat(400 + i) })),
    }))
    appendSpillLines(path, records.map((record) => spillLine(toRecordRows(record))), { sync: false })
    expect(readFileSync(path).length).toBeGreaterThan(2 * 1024 * 1024)
    const texts: string[] = []
    replaySpillFile(path, {
      batchSize: 64,
      commit: (batch) => texts.push(...batch.map((rows) => rows.candidates[0]!.text)),
      onSkip: (error) => {
        throw error
      },
    })
    expect(texts).toEqual(records.map((record) => record.candidates[0]!.text))
  })

  it('does nothing when there is no spill file', () => {
    expect(replayAll().result).toEqual({ records: 0, skipped: 0 })
  })
})
