import { describe, expect, it } from 'vitest'
import type { CandidateRecord } from '../../src/log/preference-record.js'
import { toPreferencePair } from '../../src/export/preference-pair.js'
import { makeRecord } from '../log/preference-record-fixture.js'

function candidate(index: number, text: string, reward: number | null): CandidateRecord {
  return {
    index,
    text,
    reward,
    finishReason: reward === null ? null : 'stop',
    completionTokens: null,
    logprobSum: null,
    latencyMs: 1,
    error: reward === null ? 'upstream answered 500' : null,
  }
}

const four = [candidate(0, 'a', 0.2), candidate(1, 'b', 0.9), candidate(2, 'c', null), candidate(3, 'd', -0.4)]

describe('toPreferencePair', () => {
  it('pairs the logged best and worst and keeps the rewards of the scored candidates in index order', () => {
    const outcome = toPreferencePair(makeRecord({ candidates: four, n: 4, chosen: 1, best: 1, worst: 3 }))
    expect(outcome.pair?.best.text).toBe('b')
    expect(outcome.pair?.worst.text).toBe('d')
    expect(outcome.pair?.rewards).toEqual([0.2, 0.9, -0.4])
  })

  it('skips a request with fewer than two scored candidates as noPair', () => {
    const record = makeRecord({ candidates: [candidate(0, 'a', 0.5), candidate(1, 'b', null)], best: 0, worst: null })
    expect(toPreferencePair(record)).toEqual({ skip: 'noPair' })
    expect(toPreferencePair(makeRecord({ chosen: null, best: null, worst: null }))).toEqual({ skip: 'noPair' })
  })

  it('skips a pair whose rewards tie or whose texts are identical', () => {
    const tied = [candidate(0, 'a', 0.5), candidate(1, 'b', 0.5)]
    expect(toPreferencePair(makeRecord({ candidates: tied, best: 0, worst: 1 }))).toEqual({ skip: 'tie' })
    const sameText = [candidate(0, 'same', 0.51), candidate(1, 'same', 0.5)]
    expect(toPreferencePair(makeRecord({ candidates: sameText, best: 0, worst: 1 }))).toEqual({ skip: 'tie' })
  })

  it('applies minMargin to the reward gap and minN to the scored count, not the requested n', () => {
    const record = makeRecord({ candidates: four, n: 4, chosen: 1, best: 1, worst: 3 })
    expect(toPreferencePair(record, { minMargin: 1.3 }).pair).toBeDefined()
    expect(toPreferencePair(record, { minMargin: 1.31 })).toEqual({ skip: 'belowMargin' })
    expect(toPreferencePair(record, { minN: 3 }).pair).toBeDefined()
    expect(toPreferencePair(record, { minN: 4 })).toEqual({ skip: 'fewerScored' })
  })

  it('refuses best or worst indices that point at a missing or unscored candidate', () => {
    expect(toPreferencePair(makeRecord({ candidates: four, best: 1, worst: 2 }))).toEqual({ skip: 'noPair' })
    expect(toPreferencePair(makeRecord({ candidates: four, best: 7, worst: 3 }))).toEqual({ skip: 'noPair' })
  })
})
