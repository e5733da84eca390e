import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRateAuditSource, rateAuditItemsFromRecords } from '../../src/audit/rate-audit-source.js'
import { InvalidOptionsError } from '../../src/errors.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { makeRecord, makeRecords } from '../log/preference-record-fixture.js'

describe('parseRateAuditSource', () => {
  it('reads prompt/response lines with a string or a message-list prompt, skipping blank lines', () => {
    const text = [
      JSON.stringify({ prompt: 'Why?', response: 'Because.' }),
      '',
      JSON.stringify({ prompt: [{ role: 'system', content: 'Brief.' }, { role: 'user', content: 'How?' }], response: 'So.', extra: 1 }),
    ].join('\r\n')
    const { items, skipped } = parseRateAuditSource(text, 'a.jsonl')
    expect(skipped).toBe(0)
    expect(items).toEqual([
      { id: 'line 1', prompt: [{ role: 'user', content: 'Why?' }], response: 'Because.' },
      { id: 'line 3', prompt: [{ role: 'system', content: 'Brief.' }, { role: 'user', content: 'How?' }], response: 'So.' },
    ])
  })

  it('reads `bonbon export --format jsonl` records as their chosen answers', () => {
    const records = [makeRecord(), makeRecord({ requestId: 'req-failed', chosen: null }), makeRecord({ requestId: 'req-b', chosen: 1 })]
    const { items, skipped } = parseRateAuditSource(records.map((record) => JSON.stringify(record)).join('\n'), 'export.jsonl')
    expect(skipped).toBe(1)
    expect(items.map((item) => [item.id, item.response, item.model])).toEqual([
      ['req-0001', makeRecord().candidates[0]?.text, 'qwen2.5-7b-instruct'],
      ['req-b', 'Short answer.', 'qwen2.5-7b-instruct'],
    ])
    expect(items[0]?.prompt).toEqual(makeRecord().messages)
  })

  it('stops after the limit', () => {
    const text = [1, 2, 3].map((index) => JSON.stringify({ prompt: `q${index}`, response: `a${index}` })).join('\n')
    expect(parseRateAuditSource(text, 'a.jsonl', 2).items.map((item) => item.response)).toEqual(['a1', 'a2'])
  })

  it.each([
    ['{"prompt": "q", "response": "a"}\n{"prompt": "q", "respons', /^a\.jsonl line 2 is not JSON/],
    ['{"prompt": "q", "response": "a"}\n\n{"prompt": "q"}', /^a\.jsonl line 3: expected \{"prompt".*"response": invalid input/],
    ['{"prompt": 3, "response": "a"}', /^a\.jsonl line 1: expected .*got "prompt"/],
    ['[1, 2]', /^a\.jsonl line 1: expected/],
    ['{"messages": [], "candidates": "none", "chosen": 0}', /^a\.jsonl line 1: .*a preference record with "candidates"/],
  ])('names the line at fault: %j', (text, message) => {
    expect(() => parseRateAuditSource(text, 'a.jsonl')).toThrow(InvalidOptionsError)
    expect(() => parseRateAuditSource(text, 'a.jsonl')).toThrow(message)
  })
})

describe('rateAuditItemsFromRecords', () => {
  let folder: string
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'bonbon-rate-source-'))
  })
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true })
  })

  it('takes one item per logged request, its chosen answer, in log order, up to the limit', async () => {
    const path = join(folder, 'bonbon.db')
    const sink = createSqliteSink({ path })
    const records = makeRecords(5)
    for (const [index, record] of records.entries()) {
      await sink.write(index === 1 ? { ...record, chosen: null } : { ...record, chosen: index % 2 })
    }
    await sink.close()
    const store = openSqliteStore(path)
    const { items, skipped } = rateAuditItemsFromRecords(store.readRecords(), 3)
    store.close()
    expect(items.map((item) => item.id)).toEqual(['req-0000', 'req-0002', 'req-0003'])
    expect(items.map((item) => item.response)).toEqual([records[0]?.candidates[0]?.text, records[0]?.candidates[0]?.text, 'Short answer.'])
    expect(skipped).toBe(1)
  })

  it('skips a request whose chosen answer is empty', () => {
    const record = makeRecord({ chosen: 2 })
    expect(rateAuditItemsFromRecords([record])).toEqual({ items: [], skipped: 1 })
  })
})
