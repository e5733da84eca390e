import { LRUCache } from 'lru-cache'
import { InvalidOptionsError, RewardModelError } from '../errors.js'
import type { RewardModel, Score, ScoreRequest } from './reward-model.js'

/** Options of {@link withScoreCache}. */
export interface ScoreCacheOptions {
  /** Most scores kept; the least recently used go first. @default 1000 */
  readonly maxEntries?: number
  /** Most bytes kept, counting each key as UTF-16 plus 8 bytes for its score. @default 4194304 */
  readonly maxBytes?: number
}

/** Counters of a {@link withScoreCache} model, since it was created. */
export interface ScoreCacheStats {
  /** Candidates answered from the cache. */
  readonly hits: number
  /** Candidates sent to the reward model. */
  readonly misses: number
  /** Scores held now. */
  readonly entries: number
  /** Bytes held now, as counted against `maxBytes`. */
  readonly bytes: number
}

/** A reward model with a score cache in front of it. */
export interface CachedRewardModel extends RewardModel {
  /** How the cache has done so far. */
  readonly stats: ScoreCacheStats
}

const scoreBytes = 8
const encoder = new TextEncoder()

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  let hex = ''
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0')
  return hex
}

function positiveInteger(value: number, key: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(`Score cache option ${key} must be a positive integer; got ${String(value)}.`, { key })
  }
  return value
}

/**
 * Puts an in-memory LRU cache of rewards in front of a reward model, keyed by (model name, prompt,
 * answer): identical pairs (a retried request, an answer that several candidates share) are scored
 * once. Only the candidates not cached, each distinct answer once, go to the model. Failed scores
 * are never cached, and a failed scoring call rejects as the model's own would, even when some
 * candidates were cached, so the caller's retries and failure policy still apply. The prompt enters
 * the key as its SHA-256, so a long prompt is not held once per answer; answers are kept verbatim,
 * which is what `maxBytes` bounds.
 *
 * Meant for deterministic scorers (reward models are); a sampling LLM judge becomes deterministic
 * per pair under it.
 * @throws InvalidOptionsError for limits that are not positive integers.
 * @example
 * ```ts
 * const rewardModel = withScoreCache(createTeiRewardModel({ baseURL }), { maxEntries: 10_000 })
 * ```
 */
export function withScoreCache(rewardModel: RewardModel, options: ScoreCacheOptions = {}): CachedRewardModel {
  const maxEntries = positiveInteger(options.maxEntries ?? 1000, 'maxEntries')
  const maxBytes = positiveInteger(options.maxBytes ?? 4 * 1024 * 1024, 'maxBytes')
  const cache = new LRUCache<string, number>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (_reward, key) => key.length * 2 + scoreBytes,
  })
  let hits = 0
  let misses = 0

  async function score(request: ScoreRequest): Promise<Score[]> {
    if (request.candidates.length === 0) return []
    const promptKey = await sha256Hex(JSON.stringify([rewardModel.name, request.prompt]))
    const keys = request.candidates.map((answer) => `${promptKey}\u0000${answer}`)
    const scores: Array<Score | undefined> = keys.map((key) => {
      const reward = cache.get(key)
      return reward === undefined ? undefined : { reward }
    })
    // Each distinct uncached answer once, in first-seen order.
    const pending = new Map<string, number>()
    keys.forEach((key, position) => {
      if (scores[position] === undefined && !pending.has(key)) pending.set(key, position)
    })
    hits += request.candidates.length - pending.size
    misses += pending.size
    if (pending.size > 0) {
      const positions = [...pending.values()]
      // A failing call fails the whole request, cached candidates and all: answering among the cached
      // ones alone would hide the failure from the caller's retry and `onRewardFailure` policy, and
      // choose only among answers seen before.
      const fresh = await rewardModel.score({
        prompt: request.prompt,
        candidates: positions.map((position) => request.candidates[position] as string),
        signal: request.signal,
      })
      // The same for a short answer: padded out to full length, the caller could no longer tell.
      if (fresh.length !== positions.length) {
        throw new RewardModelError(`Reward model returned ${fresh.length} scores for ${positions.length} candidates.`)
      }
      const byKey = new Map<string, Score>()
      positions.forEach((position, i) => {
        const key = keys[position] as string
        const result = fresh[i] ?? { error: 'no score returned' }
        byKey.set(key, result)
        if (result.error === undefined && Number.isFinite(result.reward)) cache.set(key, result.reward)
      })
      keys.forEach((key, position) => {
        if (scores[position] === undefined) scores[position] = byKey.get(key)
      })
    }
    return scores.map((entry) => entry ?? { error: 'no score returned' })
  }

  return {
    name: rewardModel.name,
    score,
    get stats() {
      return { hits, misses, entries: cache.size, bytes: cache.calculatedSize }
    },
  }
}
