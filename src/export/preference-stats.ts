import type { CandidateRecord, PreferenceRecord } from '../log/preference-record.js'
import { winRate } from '../select/theory/index.js'
import { countCharacters } from './count-characters.js'
import { createRatioOfMeans, type RatioEstimate, type RatioOfMeans } from './ratio-of-means.js'

/** What best-of-n delivered for one model at one fan-out size n. */
export interface PreferenceStatsGroup {
  /** The model the requests asked for. */
  readonly model: string
  /** The fan-out size requested. */
  readonly n: number
  /** Requests whose chosen answer was scored: the ones every statistic below is over. */
  readonly requests: number
  /** Requests left out because no candidate was chosen or the chosen one has no reward. */
  readonly unscored: number
  /**
   * Estimated win rate of the chosen answer against a fresh draw from the base policy: the mean of
   * k/(m+1), k the chosen's mid-rank among its request's m scored candidates (ties count half).
   * E[F(X₍ₖ₎)] = k/(m+1) for the k-th of m draws, so with continuous rewards and all n scored this
   * is n/(n+1) exactly; ties for the top, failed candidates and choosing below the best lower it.
   */
  readonly winRate: number | null
  /**
   * Win rate of the chosen answer against a uniformly random scored candidate of the same request,
   * the chosen one included (ties, and the chosen against itself, count half): (m−½)/m without ties,
   * above n/(n+1) because the chosen is ranked within the sample it was picked from.
   */
  readonly winRateWithinRequest: number | null
  /** n/(n+1): best-of-n's win rate against its base policy with continuous rewards. */
  readonly expectedWinRate: number
  /** Mean of m/(m+1): what `winRate` would be with these failed candidates but no ties. */
  readonly expectedWithoutTies: number | null
  /** Share of candidate pairs (within a request, among scored candidates) with equal rewards. */
  readonly tiedPairShare: number | null
  /** Share of requests where another scored candidate ties the chosen one. */
  readonly chosenTiedShare: number | null
  /** Requests whose chosen answer has a lower reward than the best (a policy other than argmax). */
  readonly chosenBelowBest: number
  /** Share of requested candidates that failed to generate or be scored. */
  readonly failedShare: number | null
  /** Mean reward of the chosen answers. */
  readonly meanRewardChosen: number | null
  /** Mean reward of a uniformly random scored candidate (each request's mean reward, averaged). */
  readonly meanRewardRandom: number | null
  /** Mean length of the chosen answers, characters (code points). */
  readonly meanCharsChosen: number | null
  /** Mean length of a uniformly random scored candidate, characters. */
  readonly meanCharsRandom: number | null
  /** meanCharsChosen / meanCharsRandom, with a delta-method 95% interval over requests. */
  readonly lengthDrift: RatioEstimate
}

/** Accumulates statistics record by record, in memory proportional to the number of groups only. */
export interface PreferenceStats {
  /** Counts one logged request. */
  add(record: PreferenceRecord): void
  /** Records added so far. */
  readonly records: number
  /** One group per (model, n), sorted by model then n. */
  groups(): PreferenceStatsGroup[]
}

interface GroupTotals {
  readonly model: string
  readonly n: number
  requests: number
  unscored: number
  winRate: number
  winRateWithinRequest: number
  expectedWithoutTies: number
  tiedPairs: number
  pairs: number
  chosenTied: number
  chosenBelowBest: number
  requested: number
  failed: number
  rewardChosen: number
  rewardRandom: number
  readonly length: RatioOfMeans
}

type Scored = CandidateRecord & { readonly reward: number }

function isScored(candidate: CandidateRecord): candidate is Scored {
  return candidate.reward !== null && Number.isFinite(candidate.reward)
}

/** Pairs with equal rewards among sorted rewards: each run of r equal values holds r(r−1)/2. */
function countTiedPairs(rewards: readonly number[]): number {
  const sorted = [...rewards].sort((a, b) => a - b)
  let tied = 0
  let run = 1
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run += 1
    } else {
      tied += (run * (run - 1)) / 2
      run = 1
    }
  }
  return tied
}

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? null : numerator / denominator)

/**
 * Creates the accumulator behind `bonbon stats`: per model and fan-out size n, the realised win rate
 * of the chosen answer beside n/(n+1), mean rewards of chosen and random candidates, and the
 * length drift of the chosen answers, all from the rewards and texts in the log.
 */
export function createPreferenceStats(): PreferenceStats {
  const totals = new Map<string, GroupTotals>()
  let records = 0

  function groupOf(record: PreferenceRecord): GroupTotals {
    const key = JSON.stringify([record.model, record.n])
    let group = totals.get(key)
    if (group === undefined) {
      group = {
        model: record.model,
        n: record.n,
        requests: 0,
        unscored: 0,
        winRate: 0,
        winRateWithinRequest: 0,
        expectedWithoutTies: 0,
        tiedPairs: 0,
        pairs: 0,
        chosenTied: 0,
        chosenBelowBest: 0,
        requested: 0,
        failed: 0,
        rewardChosen: 0,
        rewardRandom: 0,
        length: createRatioOfMeans(),
      }
      totals.set(key, group)
    }
    return group
  }

  function add(record: PreferenceRecord): void {
    records += 1
    const group = groupOf(record)
    const scored = record.candidates.filter(isScored)
    const chosen = scored.find((candidate) => candidate.index === record.chosen)
    if (chosen === undefined) {
      group.unscored += 1
      return
    }
    const m = scored.length
    let wins = 0
    let tiedWithChosen = 0
    let rewardSum = 0
    let charSum = 0
    let maxReward = -Infinity
    for (const candidate of scored) {
      rewardSum += candidate.reward
      charSum += countCharacters(candidate.text)
      maxReward = Math.max(maxReward, candidate.reward)
      if (candidate === chosen) continue
      if (chosen.reward > candidate.reward) wins += 1
      else if (chosen.reward === candidate.reward) {
        wins += 0.5
        tiedWithChosen += 1
      }
    }
    group.requests += 1
    group.winRate += (wins + 1) / (m + 1)
    group.winRateWithinRequest += (wins + 0.5) / m
    group.expectedWithoutTies += m / (m + 1)
    group.tiedPairs += countTiedPairs(scored.map((candidate) => candidate.reward))
    group.pairs += (m * (m - 1)) / 2
    if (tiedWithChosen > 0) group.chosenTied += 1
    if (chosen.reward < maxReward) group.chosenBelowBest += 1
    // The requested fan-out, or the candidates logged if more came back than were asked for.
    const requested = Math.max(record.n, record.candidates.length)
    group.requested += requested
    group.failed += requested - m
    group.rewardChosen += chosen.reward
    group.rewardRandom += rewardSum / m
    group.length.add(countCharacters(chosen.text), charSum / m)
  }

  function summarize(group: GroupTotals): PreferenceStatsGroup {
    const drift = group.length.estimate()
    return {
      model: group.model,
      n: group.n,
      requests: group.requests,
      unscored: group.unscored,
      winRate: ratio(group.winRate, group.requests),
      winRateWithinRequest: ratio(group.winRateWithinRequest, group.requests),
      expectedWinRate: winRate(group.n),
      expectedWithoutTies: ratio(group.expectedWithoutTies, group.requests),
      tiedPairShare: ratio(group.tiedPairs, group.pairs),
      chosenTiedShare: ratio(group.chosenTied, group.requests),
      chosenBelowBest: group.chosenBelowBest,
      failedShare: ratio(group.failed, group.requested),
      meanRewardChosen: ratio(group.rewardChosen, group.requests),
      meanRewardRandom: ratio(group.rewardRandom, group.requests),
      meanCharsChosen: group.length.count === 0 ? null : group.length.meanX,
      meanCharsRandom: group.length.count === 0 ? null : group.length.meanY,
      lengthDrift: drift,
    }
  }

  return {
    add,
    get records() {
      return records
    },
    groups() {
      return [...totals.values()]
        .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.n - b.n))
        .map(summarize)
    },
  }
}
