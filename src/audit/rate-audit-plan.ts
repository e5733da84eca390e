/**
 * What a RATE audit will cost before it starts: the calls it needs, how many the cache already
 * holds, and a rough token count, so that people can confirm before paying.
 * @module
 */
import { messageText, type ChatMessage } from '../protocol/chat-message.js'
import type { AuditCall, AuditCalls } from './rate-audit-calls.js'
import { cleanRewrite, parseClassifierAnswer, renderConversation } from './rate-audit-prompts.js'
import { labelByLength, type RateAttribute } from './rate-attribute.js'
import type { RateAuditItem } from './rate-audit-source.js'

/** Calls of one kind: how many the audit needs and how many of those are cached. */
export interface PlannedCalls {
  /** Calls the audit needs. */
  readonly needed: number
  /** Of those, already in the cache. */
  readonly cached: number
}

/** The cost of an audit, known before it starts. */
export interface RateAuditPlan {
  /** Items to audit. */
  readonly items: number
  /** First rewrites, Re(y, 1 − w). */
  readonly rewrites: PlannedCalls
  /** Rewrites of rewrites, Re(Re(y, 1 − w), w). */
  readonly rewritesOfRewrites: PlannedCalls
  /** Classifier calls (custom attributes: originals, rewrites and rewrites of rewrites). */
  readonly classifications: PlannedCalls
  /** Calls to pay for: needed minus cached, over all kinds. */
  readonly toMake: number
  /** Estimated tokens of the calls to make, counted as characters / 4. */
  readonly estimatedTokens: { readonly input: number; readonly output: number }
  /** Reward-model calls (one batched call per item: original, rewrite and rewrite of rewrite). */
  readonly scoreCalls: number
}

/** Characters a classifier answer takes (`{"w": 1}`). */
const classifierOutputChars = 8

/**
 * Walks the items through the cache without calling anything. Where a cached output decides what
 * comes next (a label, a rewrite to be rewritten), it is used; where it is missing, the later calls
 * are counted as uncached, with the original's length standing in for the unknown text.
 */
export async function planRateAudit(
  items: readonly RateAuditItem[],
  attribute: RateAttribute,
  calls: AuditCalls,
): Promise<RateAuditPlan> {
  const tally = { rewrite: new Tally(), rewriteOfRewrite: new Tally(), classify: new Tally() }
  let inputChars = 0
  let outputChars = 0
  const check = async (tallyOf: Tally, call: AuditCall, known: boolean, outputLength: number) => {
    const hit = known ? await calls.lookup(call) : undefined
    tallyOf.needed += 1
    if (hit !== undefined) {
      tallyOf.cached += 1
      return hit
    }
    inputChars += charactersOf(call.messages)
    outputChars += outputLength
    return undefined
  }
  const label = async (prompt: string, text: string, known: boolean): Promise<boolean | null | undefined> => {
    if (attribute.kind === 'length') return known ? labelByLength(text, attribute.threshold) : undefined
    const hit = await check(tally.classify, await calls.classifyCall(prompt, text), known, classifierOutputChars)
    return hit === undefined ? undefined : parseClassifierAnswer(hit)
  }

  for (const item of items) {
    const prompt = renderConversation(item.prompt)
    const original = item.response
    const w = await label(prompt, original, true)
    if (w === null) continue // a cached "undecided": the item is left out, nothing more to pay
    // An unknown W still costs a rewrite toward one side or the other; either target estimates it.
    const target = w === undefined ? false : !w
    const firstHit = await check(tally.rewrite, await calls.rewriteCall(prompt, original, target), w !== undefined, original.length)
    const rewrite = firstHit === undefined ? null : cleanRewrite(firstHit)
    if (firstHit !== undefined && rewrite === null) continue
    const known = rewrite !== null
    const text = rewrite ?? original
    await label(prompt, text, known)
    const secondHit = await check(tally.rewriteOfRewrite, await calls.rewriteCall(prompt, text, !target), known, original.length)
    const rewriteOfRewrite = secondHit === undefined ? null : cleanRewrite(secondHit)
    if (secondHit !== undefined && rewriteOfRewrite === null) continue
    await label(prompt, rewriteOfRewrite ?? original, rewriteOfRewrite !== null)
  }

  const kinds = [tally.rewrite, tally.rewriteOfRewrite, tally.classify]
  return {
    items: items.length,
    rewrites: tally.rewrite.result(),
    rewritesOfRewrites: tally.rewriteOfRewrite.result(),
    classifications: tally.classify.result(),
    toMake: kinds.reduce((sum, kind) => sum + kind.needed - kind.cached, 0),
    estimatedTokens: { input: Math.ceil(inputChars / 4), output: Math.ceil(outputChars / 4) },
    scoreCalls: items.length,
  }
}

/** The plan in words, for the confirmation prompt. */
export function formatRateAuditPlan(plan: RateAuditPlan, rewriterModel: string): string {
  const kind = (label: string, calls: PlannedCalls) =>
    `  ${label}: ${calls.needed}${calls.cached > 0 ? ` (${calls.cached} cached)` : ''}`
  const tokens = plan.estimatedTokens
  return [
    `RATE audit of ${plan.items} answers with rewriter ${rewriterModel}:`,
    kind('rewrites', plan.rewrites),
    kind('rewrites of rewrites', plan.rewritesOfRewrites),
    ...(plan.classifications.needed > 0 ? [kind('classifications', plan.classifications)] : []),
    `  calls to make: ${plan.toMake}, about ${tokens.input.toLocaleString('en-US')} tokens in and ` +
      `${tokens.output.toLocaleString('en-US')} out (estimated as characters / 4)`,
    `  reward-model calls: ${plan.scoreCalls} (one batch of 3 answers per item; not cached)`,
  ].join('\n')
}

class Tally {
  needed = 0
  cached = 0
  result(): PlannedCalls {
    return { needed: this.needed, cached: this.cached }
  }
}

function charactersOf(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + messageText(message.content).length, 0)
}
