import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BonbonError } from '../../src/errors.js'
import { fromRecordRows, recordQuery, toRecordRows } from '../../src/log/record-schema.js'
import { makeRecord } from './preference-record-fixture.js'

function invalidRecordCode(action: () => unknown): string | undefined {
  try {
    action()
  } catch (error) {
    return BonbonError.isInstance(error) ? error.code : 'not a BonbonError'
  }
  return undefined
}

describe('toRecordRows and fromRecordRows', () => {
  it('map a record to rows and back unchanged, nulls included', () => {
    const record = makeRecord()
    const rows = toRecordRows(record)
    expect(fromRecordRows(rows.request, rows.candidates)).toEqual(record)
  })

  it('keep unknown values as null, never as zero', () => {
    const rows = toRecordRows(makeRecord({ promptTokens: null, chosen: null, best: null, worst: null }))
    expect(rows.request).toMatchObject({ prompt_tokens: null, completion_tokens: null, chosen: null, best: null })
    expect(rows.candidates[2]).toMatchObject({ reward: null, completion_tokens: null, logprob_sum: null })
    expect(rows.candidates[1]).toMatchObject({ completion_tokens: 0 })
  })

  it('refuse a record whose candidates repeat an index', () => {
    const record = makeRecord()
    const duplicate = { ...record, candidates: [...record.candidates, record.candidates[0]!] }
    expect(invalidRecordCode(() => toRecordRows(duplicate))).toBe('invalid_record')
  })

  it('refuse a record whose params cannot become JSON', () => {
    const record = makeRecord({ params: { seed: 10n } })
    expect(invalidRecordCode(() => toRecordRows(record))).toBe('invalid_record')
  })

  it('refuse a record whose createdAt is not an ISO 8601 instant', () => {
    expect(invalidRecordCode(() => toRecordRows(makeRecord({ createdAt: 'yesterday' })))).toBe('invalid_record')
  })

  it('refuse stored rows whose messages are not chat messages', () => {
    const rows = toRecordRows(makeRecord())
    const corrupt = { ...rows.request, messages_json: '[{"role":"robot"}]' }
    expect(invalidRecordCode(() => fromRecordRows(corrupt, rows.candidates))).toBe('invalid_record')
  })
})

describe('recordQuery', () => {
  it('has no WHERE clause without a filter', () => {
    expect(recordQuery()).toEqual({ where: '', params: [] })
  })

  it('combines every filter with AND, turning Dates into ISO text', () => {
    const query = recordQuery({ since: new Date(Date.UTC(2025, 0, 1)), until: '2025-02-01', model: 'm', minN: 4 })
    expect(query.where).toBe('WHERE created_at >= ? AND created_at < ? AND model = ? AND n >= ?')
    expect(query.params).toEqual(['2025-01-01T00:00:00.000Z', '2025-02-01', 'm', 4])
  })
})

describe('core log files', () => {
  it('import nothing from node:, so a D1 sink can reuse them', () => {
    for (const file of ['record-schema.ts', 'migrations.ts']) {
      const source = readFileSync(new URL(`../../src/log/${file}`, import.meta.url), 'utf8')
      expect(source, file).not.toMatch(/from ['"]node:/)
    }
  })
})
