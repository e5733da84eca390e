import { describe, expect, it } from 'vitest'
import { countCharacters } from '../../src/export/count-characters.js'
import { explainWinRateGaps, formatStatsTable } from '../../src/export/format-stats-table.js'
import { createPreferenceStats } from '../../src/export/preference-stats.js'
import { createRatioOfMeans } from '../../src/export/ratio-of-means.js'
import type { CandidateRecord, PreferenceRecord } from '../../src/log/preference-record.js'
import { rankCandidates } from '../../src/select/rank-candidates.js'
import { createSeededRandom } from '../../src/util/random.js'
import { makeRecord } from '../log/preference-record-fixture.js'

/** A request with these rewards (null: failed) and texts of these lengths, ranked as the gateway does. */
function request(rewards: readonly (number | null)[], lengths?: readonly number[], model = 'm'): PreferenceRecord {
  const candidates = rewards.map(
    (reward, index): CandidateRecord => ({
      index,
      text: 'x'.repeat(lengths?.[index] ?? 10),
      reward,
      finishReason: 'stop',
      completionTokens: null,
      logprobSum: null,
      latencyMs: 1,
      error: reward === null ? 'failed' : null,
    }),
  )
  const ranking = rankCandidates(rewards)
  return makeRecord({ model, n: rewards.length, candidates, chosen: ranking.chosen, best: ranking.best, worst: ranking.worst })
}

function onlyGroup(records: readonly PreferenceRecord[]) {
  const stats = createPreferenceStats()
  records.forEach((record) => stats.add(record))
  const [group, ...rest] = stats.groups()
  expect(rest).toEqual([])
  if (group === undefined) throw new Error('no group')
  return group
}

describe('createPreferenceStats', () => {
  it('gives the best of n distinct rewards the win rate n/(n+1), and (n-1/2)/n within its request', () => {
    const group = onlyGroup([request([0.1, 0.5, 0.3, 0.9]), request([2, 1, 0, 3])])
    expect(group.winRate).toBeCloseTo(0.8, 12)
    expect(group.expectedWinRate).toBeCloseTo(0.8, 12)
    expect(group.winRateWithinRequest).toBeCloseTo(0.875, 12)
    expect(group.tiedPairShare).toBe(0)
  })

  it('counts a tie with the chosen answer half, which lowers the win rate', () => {
    // Chosen 0.9 beats 0.1 and ties 0.9: 1.5 wins of 2, mid-rank 2.5 of 3.
    const group = onlyGroup([request([0.9, 0.9, 0.1])])
    expect(group.winRate).toBeCloseTo(2.5 / 4, 12)
    expect(group.winRateWithinRequest).toBeCloseTo(2 / 3, 12)
    expect(group.expectedWithoutTies).toBeCloseTo(3 / 4, 12)
    expect(group.tiedPairShare).toBeCloseTo(1 / 3, 12)
    expect(group.chosenTiedShare).toBe(1)
    expect(explainWinRateGaps([group])[0]).toMatch(/ties cost 0\.1250 \(33\.3% of candidate pairs tie/)
  })

  it('counts failed candidates apart from ties', () => {
    const group = onlyGroup([request([0.2, null, 0.7, null])])
    expect(group.winRate).toBeCloseTo(2 / 3, 12)
    expect(group.expectedWithoutTies).toBeCloseTo(2 / 3, 12)
    expect(group.failedShare).toBe(0.5)
    const [note] = explainWinRateGaps([group])
    expect(note).toMatch(/failed candidates cost 0\.1333 \(50\.0% of candidates unscored/)
    expect(note).not.toMatch(/ties cost/)
  })

  it('compares mean rewards of chosen and random candidates and leaves unscored requests out', () => {
    const failed = makeRecord({
      model: 'm',
      n: 2,
      chosen: null,
      best: null,
      worst: null,
      candidates: request([null, null]).candidates,
    })
    const group = onlyGroup([request([1, 3]), request([5, 1]), failed])
    expect(group.meanRewardChosen).toBe(4)
    expect(group.meanRewardRandom).toBe(2.5)
    expect(group.requests).toBe(2)
    expect(group.unscored).toBe(1)
    expect(formatStatsTable([group])).toContain('* m n=2: 1 request without a scored chosen answer left out.')
  })

  it('groups by model and n, sorted', () => {
    const stats = createPreferenceStats()
    for (const record of [request([1, 2], undefined, 'b'), request([1, 2, 3]), request([1, 2]), request([3, 1], undefined, 'b')]) {
      stats.add(record)
    }
    expect(stats.groups().map((group) => [group.model, group.n, group.requests])).toEqual([
      ['b', 2, 2],
      ['m', 2, 1],
      ['m', 3, 1],
    ])
    expect(stats.records).toBe(4)
  })

  it('measures length drift as mean chars chosen over mean chars random', () => {
    const group = onlyGroup([request([1, 0], [30, 10]), request([0, 1], [10, 50])])
    expect(group.meanCharsChosen).toBe(40)
    expect(group.meanCharsRandom).toBe(25)
    expect(group.lengthDrift.estimate).toBeCloseTo(1.6, 12)
    expect(group.meanRewardChosen).toBe(1)
    expect(group.meanRewardRandom).toBe(0.5)
  })
})

describe('createRatioOfMeans', () => {
  it('matches the two-pass delta-method interval', () => {
    const random = createSeededRandom(3)
    const pairs = Array.from({ length: 500 }, () => {
      const y = 100 + 900 * random()
      return [y * (1 + random()), y] as const
    })
    const ratio = createRatioOfMeans()
    pairs.forEach(([x, y]) => ratio.add(x, y))
    const n = pairs.length
    const meanX = pairs.reduce((s, [x]) => s + x, 0) / n
    const meanY = pairs.reduce((s, [, y]) => s + y, 0) / n
    const r = meanX / meanY
    // The residuals x − R·y carry the whole delta-method variance.
    const residualVariance = pairs.reduce((s, [x, y]) => s + (x - meanX - r * (y - meanY)) ** 2, 0) / (n - 1)
    const se = Math.sqrt(residualVariance / n) / meanY
    const estimate = ratio.estimate()
    expect(estimate.estimate).toBeCloseTo(r, 10)
    expect(estimate.se).toBeCloseTo(se, 10)
    expect(estimate.ci?.[0]).toBeCloseTo(r - 1.959963984540054 * se, 10)
  })

  it('gives no interval for one pair and no ratio for none', () => {
    const ratio = createRatioOfMeans()
    expect(ratio.estimate()).toEqual({ estimate: null, se: null, ci: null })
    ratio.add(2, 4)
    expect(ratio.estimate()).toEqual({ estimate: 0.5, se: null, ci: null })
  })
})

describe('countCharacters', () => {
  it('counts code points, so an emoji or an astral CJK character is one', () => {
    expect(countCharacters('abc')).toBe(3)
    expect(countCharacters('🍬ok')).toBe(3)
    expect(countCharacters('𠀀')).toBe(1)
    expect(countCharacters('e\u0301')).toBe(2)
    expect(countCharacters('\udc00lone')).toBe(5)
  })
})

describe('formatStatsTable', () => {
  it('prints one aligned row per group, the definitions and the explanation of a tie gap', () => {
    const table = formatStatsTable([onlyGroup([request([0.9, 0.9, 0.1])])])
    const [header, row] = table.split('\n')
    expect(header).toMatch(/^model\s+n\s+requests\s+win rate\s+n\/\(n\+1\)\s+within\s+tied pairs/)
    expect(row).toMatch(/^m\s+3\s+1\s+0\.6250\s+0\.7500\s+0\.6667\s+33\.3%/)
    expect(table).toContain('* within: the chosen answer against a uniformly random scored candidate of the same request, the chosen one included')
    expect(table).toContain('* m n=3: win rate 0.6250 is 0.1250 below n/(n+1) = 0.7500: ties cost 0.1250')
  })

  it('says so when the log is empty', () => {
    expect(formatStatsTable([])).toBe('No requests in the log.')
  })
})
