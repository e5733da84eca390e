import type { CandidateRecord, PreferenceRecord } from '../log/preference-record.js'

/** The best and worst scored answers of one logged request, ready to become a training example. */
export interface PreferencePair {
  /** The logged request the pair comes from. */
  readonly record: PreferenceRecord
  /** The highest-reward candidate (`record.best`). */
  readonly best: CandidateRecord & { readonly reward: number }
  /** The lowest-reward scored candidate (`record.worst`). */
  readonly worst: CandidateRecord & { readonly reward: number }
  /** Rewards of the scored candidates, in candidate-index order: the n draws best and worst come from. */
  readonly rewards: readonly number[]
}

/**
 * Why a record yields no pair: `noPair` (no best or worst, i.e. fewer than two scored candidates),
 * `fewerScored` (fewer scored candidates than `minN`), `tie` (best and worst have equal rewards or
 * identical texts, so the pair says nothing about preference) and `belowMargin` (reward gap below
 * `minMargin`).
 */
export type PairSkipReason = 'noPair' | 'fewerScored' | 'tie' | 'belowMargin'

/** A pair, or the reason there is none. */
export type PairOutcome =
  | { readonly pair: PreferencePair; readonly skip?: undefined }
  | { readonly pair?: undefined; readonly skip: PairSkipReason }

/** Which pairs to keep. */
export interface PairFilter {
  /** Smallest reward gap best − worst kept. @default 0 (any pair that does not tie) */
  readonly minMargin?: number
  /** Fewest scored candidates kept. @default 2 */
  readonly minN?: number
}

type Scored = CandidateRecord & { readonly reward: number }

function isScored(candidate: CandidateRecord | undefined): candidate is Scored {
  return candidate !== undefined && candidate.reward !== null && Number.isFinite(candidate.reward)
}

/** Rewards of the scored candidates of a record, in candidate-index order. */
export function scoredRewards(record: PreferenceRecord): number[] {
  return record.candidates
    .filter(isScored)
    .sort((a, b) => a.index - b.index)
    .map((candidate) => candidate.reward)
}

/**
 * Takes the best/worst pair of a logged request, as the gateway ranked it (`record.best`,
 * `record.worst`), and applies the pair filters.
 */
export function toPreferencePair(record: PreferenceRecord, filter: PairFilter = {}): PairOutcome {
  const best = record.candidates.find((candidate) => candidate.index === record.best)
  const worst = record.candidates.find((candidate) => candidate.index === record.worst)
  if (record.best === null || record.worst === null || !isScored(best) || !isScored(worst) || best === worst) {
    return { skip: 'noPair' }
  }
  const rewards = scoredRewards(record)
  if (rewards.length < Math.max(2, filter.minN ?? 2)) return { skip: 'fewerScored' }
  // Identical texts with different rewards happen with non-deterministic (batched) reward models;
  // such a pair would teach the trainer to prefer a text over itself.
  if (best.reward === worst.reward || best.text === worst.text) return { skip: 'tie' }
  if (best.reward - worst.reward < (filter.minMargin ?? 0)) return { skip: 'belowMargin' }
  return { pair: { record, best, worst, rewards } }
}
