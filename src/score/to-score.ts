import type { Score } from './reward-model.js'

/**
 * A {@link Score} from whatever a server put where a reward should be: a finite number is a reward;
 * anything else (NaN, ±Infinity, null, a string, missing) is an error for that candidate, never a reward.
 */
export function toScore(value: unknown): Score {
  if (typeof value === 'number' && Number.isFinite(value)) return { reward: value }
  return { error: `reward model returned a non-finite score (${describeValue(value)})` }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`
  if (typeof value === 'number') return String(value)
  return JSON.stringify(value) ?? typeof value
}
