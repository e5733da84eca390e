import { describe, expect, it } from 'vitest'
import { rankCandidates } from '../../src/select/rank-candidates.js'

describe('rankCandidates', () => {
  it('chooses the highest reward', () => {
    expect(rankCandidates([0.1, 0.9, 0.5])).toEqual({ order: [1, 2, 0], chosen: 1, best: 1, worst: 0 })
  })

  it('breaks ties by lowest candidate index', () => {
    const ranking = rankCandidates([0.2, 0.7, 0.7, 0.7])
    expect(ranking.chosen).toBe(1)
    expect(ranking.order).toEqual([1, 2, 3, 0])
  })

  it('never chooses a failed candidate, even when every other reward is negative', () => {
    const ranking = rankCandidates([null, -3, null, -1])
    expect(ranking.chosen).toBe(3)
    expect(ranking.order).toEqual([3, 1])
    expect(ranking.worst).toBe(1)
  })

  it('pairs the best with a different candidate when all rewards tie', () => {
    const ranking = rankCandidates([0.5, 0.5, 0.5])
    expect(ranking.best).toBe(0)
    expect(ranking.worst).toBe(2)
  })

  it('has no pair when only one candidate was scored', () => {
    expect(rankCandidates([null, 2, null])).toEqual({ order: [1], chosen: 1, best: 1, worst: null })
  })

  it('chooses nothing when nothing was scored', () => {
    expect(rankCandidates([null, null])).toEqual({ order: [], chosen: null, best: null, worst: null })
  })
})
