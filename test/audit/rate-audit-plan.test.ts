import { describe, expect, it } from 'vitest'
import { createMemoryAuditCache } from '../../src/audit/audit-cache.js'
import type { AuditChatClient } from '../../src/audit/audit-chat-client.js'
import { formatRateAuditPlan } from '../../src/audit/rate-audit-plan.js'
import { createRateAudit } from '../../src/audit/rate-audit.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { messageText } from '../../src/protocol/chat-message.js'
import { exclaimAttribute, worldLlm } from './rate-audit-fixture.js'

/** The world's LLM as an in-process client, which says "undecided" for answers mentioning "unsure". */
function client(): AuditChatClient & { calls: number } {
  return {
    model: 'in-process',
    calls: 0,
    async complete(request) {
      this.calls += 1
      const prompt = messageText(request.messages.at(-1)?.content ?? '')
      if (prompt.startsWith('Classify') && prompt.includes('unsure')) return 'I cannot tell.'
      return worldLlm({ prompt, index: 0, seed: undefined, call: 0, endpoint: 'chat', body: {} })
    },
  }
}

const items = ['Fine answer.', 'Great answer!', 'An unsure answer.'].map((response, index) => ({
  id: `line ${index + 1}`,
  prompt: [{ role: 'user' as const, content: `Question ${index}` }],
  response,
}))

describe('planning a RATE audit', () => {
  it('counts every call before anything is paid, then only what the cache lacks', async () => {
    const rewriter = client()
    const audit = createRateAudit({
      items,
      attribute: { kind: 'custom', ...exclaimAttribute },
      rewriter,
      // Never called: the audit is only planned here.
      rewardModel: createHttpRewardModel({ url: 'http://127.0.0.1:9/score' }),
      cache: createMemoryAuditCache(),
      maxRetries: 0,
    })
    const before = await audit.plan()
    expect(before).toMatchObject({
      items: 3,
      rewrites: { needed: 3, cached: 0 },
      rewritesOfRewrites: { needed: 3, cached: 0 },
      classifications: { needed: 9, cached: 0 },
      toMake: 15,
      scoreCalls: 3,
    })
    expect(before.estimatedTokens.input).toBeGreaterThan(0)
    expect(rewriter.calls).toBe(0)
    const text = formatRateAuditPlan(before, 'in-process')
    expect(text).toContain('RATE audit of 3 answers with rewriter in-process:')
    expect(text).toContain('classifications: 9')
    expect(text).toMatch(/calls to make: 15, about [\d,]+ tokens in and [\d,]+ out \(estimated as characters \/ 4\)/)

    // Scoring fails (nothing listens on port 9), item by item; the paid calls are made and cached.
    const result = await audit.run()
    expect(result.items.map((item) => item.error)).toEqual([
      expect.stringMatching(/^scoring failed/),
      expect.stringMatching(/^scoring failed/),
      'the classifier could not decide W of the original',
    ])
    const after = await audit.plan()
    // The undecided original is cached as undecided: nothing more is planned for it.
    expect(after).toMatchObject({ rewrites: { needed: 2, cached: 2 }, classifications: { needed: 7, cached: 7 }, toMake: 0 })
    expect(formatRateAuditPlan(after, 'in-process')).toContain('rewrites: 2 (2 cached)')
  })
})
