/**
 * The outcome of ranking a scored set: which candidate answers, and the pair kept for training.
 */
export interface Ranking {
  /** Scored candidates' indices, highest reward first; ties keep the lower index first. */
  readonly order: readonly number[]
  /** The candidate to answer with (argmax, ties to the lowest index), or null when none was scored. */
  readonly chosen: number | null
  /** The highest-reward candidate; the same as `chosen` under argmax selection. */
  readonly best: number | null
  /**
   * The lowest-reward scored candidate other than `best` (ties to the highest index, so a tie with
   * the best never pairs a candidate with itself), or null when fewer than two were scored.
   */
  readonly worst: number | null
}

/**
 * Ranks candidates by reward. A `null` reward marks a candidate that failed (to generate or to be
 * scored); such a candidate is never chosen and never part of the pair.
 */
export function rankCandidates(rewards: readonly (number | null)[]): Ranking {
  const scored: number[] = []
  rewards.forEach((reward, index) => {
    if (reward !== null && Number.isFinite(reward)) scored.push(index)
  })
  // Array.prototype.sort is stable, so equal rewards keep ascending index order: ties go to the lowest index.
  const order = scored.sort((a, b) => (rewards[b] as number) - (rewards[a] as number))
  const best = order[0] ?? null
  const worst = order.length >= 2 ? (order[order.length - 1] ?? null) : null
  return { order, chosen: best, best, worst }
}
