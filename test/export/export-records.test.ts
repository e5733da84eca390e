import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import { exportRecords, type ExportSplit } from '../../src/export/export-records.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { makeRecord, makeRecords } from '../log/preference-record-fixture.js'

/** Records with distinct prompts and answers, so none is a duplicate of another. */
function distinctRecords(count: number): PreferenceRecord[] {
  return makeRecords(count).map((record, i) => ({
    ...record,
    messages: [{ role: 'user', content: `question ${i}` }],
    candidates: record.candidates.map((candidate) => ({ ...candidate, text: `${candidate.text} #${i}` })),
  }))
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest()

/** Collects what an export writes, by split. */
function collector() {
  const lines: Record<ExportSplit, string[]> = { all: [], train: [], test: [] }
  return { lines, write: (line: string, split: ExportSplit) => void lines[split].push(line) }
}

describe('exportRecords', () => {
  it('pulls the next record only after the previous line was written', async () => {
    const events: string[] = []
    function* records() {
      for (const record of distinctRecords(3)) {
        events.push(`pull ${record.requestId}`)
        yield record
      }
    }
    await exportRecords({
      records: records(),
      format: 'trl',
      write: async (line) => {
        events.push(`write ${JSON.parse(line).chosen[0].content.slice(-2)}`)
      },
    })
    expect(events).toEqual(['pull req-0000', 'write #0', 'pull req-0001', 'write #1', 'pull req-0002', 'write #2'])
  })

  it('waits for a slow write before reading on, so an output that lags holds the reading back', async () => {
    let pulled = 0
    function* records() {
      for (const record of distinctRecords(3)) {
        pulled += 1
        yield record
      }
    }
    let release: () => void = () => {}
    let written = 0
    const done = exportRecords({
      records: records(),
      format: 'openai',
      // A synchronous digest leaves only microtasks between records, so one macrotask is enough for
      // an export that did not wait to run ahead.
      digest: sha256,
      write: () => {
        written += 1
        return new Promise<void>((resolve) => (release = resolve))
      },
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect([pulled, written]).toEqual([1, 1])
    release()
    await new Promise((resolve) => setImmediate(resolve))
    expect([pulled, written]).toEqual([2, 2])
    release()
    await new Promise((resolve) => setImmediate(resolve))
    release()
    expect((await done).written).toBe(3)
  })

  it('writes an identical prompt/chosen/rejected triple once and counts the repeats', async () => {
    const [first, second] = makeRecords(2)
    const changedWorst = makeRecord({
      requestId: 'req-other',
      candidates: makeRecord().candidates.map((c) => (c.index === 1 ? { ...c, text: 'Another short answer.' } : c)),
    })
    const { lines, write } = collector()
    const summary = await exportRecords({ records: [first!, second!, changedWorst], format: 'bonbon', write })
    expect(lines.all).toHaveLength(2)
    expect(summary).toMatchObject({ read: 3, written: 2, duplicates: 1 })
  })

  it('keeps repeats with deduplicate false, and never deduplicates raw jsonl records', async () => {
    const records = makeRecords(3)
    const pairs = await exportRecords({ records, format: 'trl', deduplicate: false, write: () => {} })
    const raw = await exportRecords({ records, format: 'jsonl', write: () => {} })
    expect([pairs.written, raw.written]).toEqual([3, 3])
  })

  it('counts every skipped record by reason', async () => {
    const base = makeRecord()
    const records = [
      base,
      makeRecord({ requestId: 'no-pair', worst: null }),
      makeRecord({
        requestId: 'tie',
        candidates: base.candidates.map((c) => (c.reward === null ? c : { ...c, reward: 1 })),
      }),
    ]
    const summary = await exportRecords({ records, format: 'trl', minMargin: 0.5, write: () => {} })
    expect(summary.skipped).toEqual({ noPair: 1, fewerScored: 0, tie: 1, belowMargin: 0 })
    const strict = await exportRecords({ records: [base], format: 'trl', minMargin: 2, write: () => {} })
    expect(strict.skipped.belowMargin).toBe(1)
    const raw = await exportRecords({ records, format: 'jsonl', minN: 2, write: () => {} })
    expect(raw).toMatchObject({ written: 3, skipped: { fewerScored: 0 } })
    const rawStrict = await exportRecords({ records, format: 'jsonl', minN: 3, write: () => {} })
    expect(rawStrict).toMatchObject({ written: 0, skipped: { fewerScored: 3 } })
  })

  it('keeps unscored records (n = 1 pass-throughs, failed runs) in the raw jsonl log unless --min-n asks otherwise', async () => {
    const base = makeRecord({ requestId: 'unscored' })
    const unscored = { ...base, candidates: base.candidates.map((candidate) => ({ ...candidate, reward: null })), chosen: null }
    const raw = await exportRecords({ records: [unscored], format: 'jsonl', write: () => {} })
    expect(raw).toMatchObject({ written: 1, skipped: { fewerScored: 0 } })
    const pairs = await exportRecords({ records: [unscored], format: 'trl', write: () => {} })
    expect(pairs.written).toBe(0)
  })

  it('splits by prompt: the same prompt always lands in the same split, on every run', async () => {
    const records = distinctRecords(2_000).map((record, i) => ({
      ...record,
      // Every prompt twice, with different answers, so each prompt has two lines.
      messages: [{ role: 'user' as const, content: `question ${i % 1_000}` }],
    }))
    const first = collector()
    const second = collector()
    const summary = await exportRecords({ records, format: 'trl', trainFraction: 0.9, write: first.write })
    await exportRecords({ records, format: 'trl', trainFraction: 0.9, write: second.write })
    expect(second.lines).toEqual(first.lines)
    expect(first.lines.all).toEqual([])
    const prompts = (lines: string[]) => new Set(lines.map((line) => JSON.stringify(JSON.parse(line).prompt)))
    const train = prompts(first.lines.train)
    const test = prompts(first.lines.test)
    expect([...train].filter((prompt) => test.has(prompt))).toEqual([])
    expect(train.size + test.size).toBe(1_000)
    // 1,000 prompts at p = 0.9: the train share is 0.9 ± 0.0095 (one standard deviation).
    expect(train.size / 1_000).toBeGreaterThan(0.86)
    expect(train.size / 1_000).toBeLessThan(0.94)
    expect(summary).toMatchObject({ train: first.lines.train.length, test: first.lines.test.length, written: 2_000 })
  })

  it('splits and deduplicates the same way with node:crypto as with the default Web Crypto digest', async () => {
    const records = distinctRecords(200)
    const web = collector()
    const node = collector()
    await exportRecords({ records, format: 'trl', trainFraction: 0.5, write: web.write })
    await exportRecords({
      records,
      format: 'trl',
      trainFraction: 0.5,
      digest: sha256,
      write: node.write,
    })
    expect(node.lines).toEqual(web.lines)
  })

  it('counts standard-style prompts that lose a system prompt or earlier turns', async () => {
    const summary = await exportRecords({ records: [makeRecord()], format: 'trl', trlStyle: 'standard', write: () => {} })
    expect(summary.flattened).toBe(1)
  })

  it('refuses invalid options before reading any record', async () => {
    let pulled = false
    const records = (function* () {
      pulled = true
      yield makeRecord()
    })()
    const attempts = [
      { format: 'csv' as 'trl' },
      { format: 'trl' as const, trainFraction: 1 },
      { format: 'trl' as const, minMargin: -1 },
      { format: 'jsonl' as const, minMargin: 0.1 },
      { format: 'bonbon' as const, minN: 1.5 },
    ]
    for (const attempt of attempts) {
      await expect(exportRecords({ records, write: () => {}, ...attempt })).rejects.toSatisfy(InvalidOptionsError.isInstance)
    }
    expect(pulled).toBe(false)
  })
})
