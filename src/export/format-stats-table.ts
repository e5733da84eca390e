import type { PreferenceStatsGroup } from './preference-stats.js'

/** Gaps below this do not show at four decimals, so they need no explanation. */
const visibleGap = 0.00005

function fixed(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits)
}

function percent(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)}%`
}

/** Four significant digits: reward scales range from ±0.03 (ArmoRM) to logits in the tens. */
function reward(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—'
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  return magnitude < 1e-3 || magnitude >= 1e5 ? value.toExponential(2) : value.toPrecision(4)
}

function drift(group: PreferenceStatsGroup): string {
  const { estimate, ci } = group.lengthDrift
  if (estimate === null) return '—'
  return ci === null ? estimate.toFixed(3) : `${estimate.toFixed(3)} [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]`
}

/** The notes that define the columns, printed under the table and included in `--json`. */
export const statsDefinitions: readonly string[] = [
  'win rate: the chosen answer against a fresh draw from the base policy, estimated from its mid-rank k among ' +
    "the request's m scored candidates as k/(m+1) (ties count half); with continuous rewards and all n scored " +
    'it is n/(n+1) exactly.',
  'within: the chosen answer against a uniformly random scored candidate of the same request, the chosen one ' +
    'included (ties and the chosen against itself count half); (m-1/2)/m without ties, above n/(n+1) because ' +
    'the chosen is ranked within the very sample it was picked from.',
  "reward/chars random: a uniformly random scored candidate of the same request (the request's mean), averaged " +
    'over requests; chars are Unicode code points.',
  'length drift: mean chars chosen / mean chars random, with a 95% interval by the delta method over requests.',
]

/**
 * Explains each group whose win rate falls visibly below n/(n+1): how much of the gap ties cost
 * (with the share of tied pairs), and how much failed candidates cost.
 */
export function explainWinRateGaps(groups: readonly PreferenceStatsGroup[]): string[] {
  const notes: string[] = []
  for (const group of groups) {
    const { winRate, expectedWinRate, expectedWithoutTies } = group
    if (winRate === null || expectedWithoutTies === null || expectedWinRate - winRate < visibleGap) continue
    const tieCost = expectedWithoutTies - winRate
    const failureCost = expectedWinRate - expectedWithoutTies
    const causes: string[] = []
    if (tieCost >= visibleGap) {
      causes.push(
        `ties cost ${tieCost.toFixed(4)} (${percent(group.tiedPairShare)} of candidate pairs tie; in ` +
          `${percent(group.chosenTiedShare)} of requests another candidate ties the chosen one, a win that counts half)`,
      )
    }
    if (group.chosenBelowBest > 0) {
      causes.push(`${group.chosenBelowBest} requests answered with a candidate below the best`)
    }
    if (failureCost >= visibleGap) {
      causes.push(
        `failed candidates cost ${failureCost.toFixed(4)} (${percent(group.failedShare)} of candidates unscored, ` +
          'so the chosen beat fewer than n-1 others)',
      )
    }
    notes.push(
      `${group.model} n=${group.n}: win rate ${winRate.toFixed(4)} is ${(expectedWinRate - winRate).toFixed(4)} ` +
        `below n/(n+1) = ${expectedWinRate.toFixed(4)}: ${causes.join('; ')}.`,
    )
  }
  return notes
}

const header = [
  'model',
  'n',
  'requests',
  'win rate',
  'n/(n+1)',
  'within',
  'tied pairs',
  'reward chosen',
  'reward random',
  'chars chosen',
  'chars random',
  'length drift [95% CI]',
]

/** Columns after the first are numbers, right-aligned. */
function renderRows(rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)))
  return rows.map((row) =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat((widths[column] ?? 0) - [...cell].length)
        return column === 0 ? cell + pad : pad + cell
      })
      .join('  ')
      .trimEnd(),
  )
}

/**
 * The `bonbon stats` table for people: one row per model and n, then the column definitions and an
 * explanation of every win rate below n/(n+1).
 */
export function formatStatsTable(groups: readonly PreferenceStatsGroup[]): string {
  if (groups.length === 0) return 'No requests in the log.'
  const rows = groups.map((group) => [
    group.model,
    String(group.n),
    String(group.requests),
    fixed(group.winRate, 4),
    fixed(group.expectedWinRate, 4),
    fixed(group.winRateWithinRequest, 4),
    percent(group.tiedPairShare),
    reward(group.meanRewardChosen),
    reward(group.meanRewardRandom),
    fixed(group.meanCharsChosen, 0),
    fixed(group.meanCharsRandom, 0),
    drift(group),
  ])
  const notes = [...statsDefinitions, ...explainWinRateGaps(groups)]
  for (const group of groups) {
    if (group.unscored === 0) continue
    const what = `${group.unscored} request${group.unscored === 1 ? '' : 's'} without a scored chosen answer`
    notes.push(`${group.model} n=${group.n}: ${what} left out.`)
  }
  return [...renderRows([header, ...rows]), '', ...notes.map((note) => `* ${note}`)].join('\n')
}
