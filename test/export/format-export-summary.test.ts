import { describe, expect, it } from 'vitest'
import { formatExportSummary } from '../../src/export/format-export-summary.js'

const summary = {
  read: 40,
  written: 35,
  train: 31,
  test: 4,
  duplicates: 1,
  skipped: { noPair: 1, fewerScored: 0, tie: 3, belowMargin: 0 },
  flattened: 2,
}

describe('formatExportSummary', () => {
  it('names the files of each split, every reason that skipped a record, and flattened prompts', () => {
    expect(formatExportSummary(summary, { train: 'p.train.jsonl', test: 'p.test.jsonl' })).toBe(
      'bonbon export: 40 records read, 35 written (train 31 → p.train.jsonl, test 4 → p.test.jsonl); ' +
        'skipped 4: no pair (fewer than 2 scored) 1, tie 3; 1 duplicate; ' +
        '2 prompts flattened to their last user message (system prompt or earlier turns dropped)',
    )
  })

  it('says nothing of reasons that skipped nothing', () => {
    const clean = { ...summary, skipped: { noPair: 0, fewerScored: 0, tie: 0, belowMargin: 0 }, duplicates: 0, flattened: 0 }
    expect(formatExportSummary(clean, { all: 'stdout' })).toBe('bonbon export: 40 records read, 35 written → stdout; skipped 0; 0 duplicates')
  })
})
