import type { ChatMessage } from '../protocol/chat-message.js'
import { betaStar, ipoTarget } from '../select/theory/index.js'
import type { PreferencePair } from './preference-pair.js'

/** The SFT weight α of the BoNBoN loss in the paper's runs. */
export const bonbonAlpha = 0.005

/**
 * A line of the `bonbon` format: one best/worst pair with everything the BoNBoN loss
 * α·SFT(best) + (1−α)·(h − 1/(2β*ₙ))² needs (docs/bonbon-training.md §3.3).
 */
export interface BonbonExample {
  /** The messages sent to the gateway, as logged. */
  readonly prompt: readonly ChatMessage[]
  /** Text of the highest-reward candidate. */
  readonly best: string
  /** Text of the lowest-reward scored candidate. */
  readonly worst: string
  /**
   * Number of scored candidates: the draws best and worst were taken from. Smaller than the
   * requested fan-out when candidates failed to generate or to be scored.
   */
  readonly n: number
  /** Reward of every scored candidate, in candidate order; best and worst are its max and min. */
  readonly rewards: readonly number[]
  /** β*ₙ = 1/(2(n−1)H₍ₙ₋₁₎) for this `n`. */
  readonly beta_n: number
  /** The IPO-BoN target margin 1/(2β*ₙ) = (n−1)H₍ₙ₋₁₎, nats. */
  readonly ipo_target: number
  /** The SFT weight α. */
  readonly alpha: number
  /** Sum of the best answer's token log-probabilities under the sampling model, or null when not captured. */
  readonly reference_logprob_best: number | null
  /** Sum of the worst answer's token log-probabilities under the sampling model, or null when not captured. */
  readonly reference_logprob_worst: number | null
  /** The temperature the candidates were sampled at, or null when the request left it to the upstream. */
  readonly temperature: number | null
  /** The gateway's request id (`x-bonbon-request-id`). */
  readonly request_id: string
  /** The model the request asked for. */
  readonly model: string
  /** When the request arrived, ISO 8601. */
  readonly created_at: string
}

/**
 * Turns a pair into a `bonbon` line. β*ₙ uses the number of *scored* candidates, not the requested
 * fan-out: β*ₙ is fixed by how many i.i.d. draws the best and the worst are the extremes of, and a
 * candidate that failed was not among them (assuming failures do not depend on the answer's reward).
 */
export function toBonbonExample(pair: PreferencePair): BonbonExample {
  const { record, best, worst, rewards } = pair
  const n = rewards.length
  const temperature = record.params['temperature']
  return {
    prompt: record.messages,
    best: best.text,
    worst: worst.text,
    n,
    rewards,
    beta_n: betaStar(n),
    ipo_target: ipoTarget(n),
    alpha: bonbonAlpha,
    reference_logprob_best: best.logprobSum,
    reference_logprob_worst: worst.logprobSum,
    temperature: typeof temperature === 'number' && Number.isFinite(temperature) ? temperature : null,
    request_id: record.requestId,
    model: record.model,
    created_at: record.createdAt,
  }
}
