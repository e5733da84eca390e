/**
 * One item of a RATE audit: W of the original, the rewrite that flips it, the rewrite of that
 * rewrite, their labels, and the three rewards from one batched reward-model call.
 * @module
 */
import { RewardModelError, describeError } from '../errors.js'
import type { RewardModel, Score } from '../score/reward-model.js'
import type { AuditCalls } from './rate-audit-calls.js'
import { renderConversation } from './rate-audit-prompts.js'
import type { RateAuditItem } from './rate-audit-source.js'

/** The three rewards of an item; null where the text is missing or could not be scored. */
export interface RateItemRewards {
  /** R(x, y). */
  readonly original: number | null
  /** R(x, Re(y, 1 − w)). */
  readonly rewrite: number | null
  /** R(x, Re(Re(y, 1 − w), w)). */
  readonly rewriteOfRewrite: number | null
}

/** Everything an audit learned about one item (a line of items.jsonl). */
export interface RateAuditItemResult {
  /** The item's id in its source. */
  readonly id: string
  /** W of the original, or null when the classifier could not decide (the item is left out). */
  readonly w: boolean | null
  /** The original answer. */
  readonly original: string
  /** The rewrite toward 1 − w, or null. */
  readonly rewrite: string | null
  /** The rewrite of the rewrite, back toward w, or null. */
  readonly rewriteOfRewrite: string | null
  /** W of the rewrite as the labeller sees it, or null. */
  readonly rewriteLabel: boolean | null
  /** W of the rewrite of the rewrite, or null. */
  readonly rewriteOfRewriteLabel: boolean | null
  /** The rewards. */
  readonly rewards: RateItemRewards
  /** Why the item has missing rewards, or null. */
  readonly error: string | null
}

/** What {@link auditRateItem} needs. */
export interface AuditRateItemOptions {
  /** The answer to audit. */
  readonly item: RateAuditItem
  /** The paid-call layer of the audit. */
  readonly calls: AuditCalls
  /** Scores answers to one prompt (retries included). */
  readonly score: RewardModel['score']
  /** Stops the item's calls. */
  readonly signal?: AbortSignal | undefined
}

const noRewards: RateItemRewards = { original: null, rewrite: null, rewriteOfRewrite: null }

/** Audits one item; failures of its own calls become nulls and an `error`, never an exception. */
export async function auditRateItem(options: AuditRateItemOptions): Promise<RateAuditItemResult> {
  const { item, calls, signal } = options
  const prompt = renderConversation(item.prompt)
  const base = { id: item.id, original: item.response }
  const w = await calls.label(prompt, item.response, signal)
  const empty = { rewrite: null, rewriteOfRewrite: null, rewriteLabel: null, rewriteOfRewriteLabel: null, rewards: noRewards }
  if (w === null) return { ...base, w, ...empty, error: 'the classifier could not decide W of the original' }
  const rewrite = await calls.rewrite(prompt, item.response, !w, signal)
  if (rewrite === null) return { ...base, w, ...empty, error: 'the rewrite failed or was empty' }
  const [rewriteLabel, rewriteOfRewrite] = await Promise.all([
    calls.label(prompt, rewrite, signal),
    calls.rewrite(prompt, rewrite, w, signal),
  ])
  const texts = { ...base, w, rewrite, rewriteOfRewrite, rewriteLabel }
  if (rewriteOfRewrite === null) {
    return { ...texts, rewriteOfRewriteLabel: null, rewards: noRewards, error: 'the rewrite of the rewrite failed or was empty' }
  }
  const rewriteOfRewriteLabel = await calls.label(prompt, rewriteOfRewrite, signal)
  let scores: Score[]
  try {
    scores = await options.score({ prompt: item.prompt, candidates: [item.response, rewrite, rewriteOfRewrite], signal })
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (!RewardModelError.isInstance(error)) throw error
    return { ...texts, rewriteOfRewriteLabel, rewards: noRewards, error: `scoring failed: ${describeError(error)}` }
  }
  const rewards = {
    original: scores[0]?.reward ?? null,
    rewrite: scores[1]?.reward ?? null,
    rewriteOfRewrite: scores[2]?.reward ?? null,
  }
  const unscored = scores.find((score) => score.error !== undefined)?.error
  return { ...texts, rewriteOfRewriteLabel, rewards, error: unscored === undefined ? null : `scoring failed: ${unscored}` }
}
