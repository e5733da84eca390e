import { afterEach, describe, expect, it } from 'vitest'
import { RewardModelError } from '../../src/errors.js'
import type { RewardModel } from '../../src/score/reward-model.js'
import { withScoreCache } from '../../src/score/with-score-cache.js'
import type { SimulatedRewardFault } from '../../src/testing/simulated-reward-server.node.js'
import { answerByLength } from '../app/gateway-fixture.js'
import { startHonoGateway, type HonoGateway } from '../hono/hono-gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
// Candidate i of a request is the same text every time (no seed); candidate 2 is the longest of four.
const byLength = (_prompt: string, answer: string) => answer.length
const failingCall = (failing: (index: number) => boolean) => (_request: unknown, index: number) =>
  failing(index) ? ({ kind: 'status', status: 500 } as const satisfies SimulatedRewardFault) : undefined

let gateway: HonoGateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

/** Asks for best-of-2, so candidates 0 and 1 are cached, then for best-of-4: 2 and 3 are new. */
async function warmThenAskFour(): Promise<Response> {
  const { client } = gateway as HonoGateway
  await client.chat.completions.create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '2' } })
  return client.chat.completions
    .create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '4' } })
    .withResponse()
    .then(({ response }) => response)
}

describe('withScoreCache in front of a failing reward model, in the gateway', () => {
  it("lets the pipeline's scoring retry run when some candidates were cached, and chooses among all n", async () => {
    gateway = await startHonoGateway({
      backend: { answer: answerByLength },
      reward: { score: byLength, fault: failingCall((index) => index === 1) },
      wrapRewardModel: (model) => withScoreCache(model),
      bestOfN: { rewardRetry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    })
    const response = await warmThenAskFour()
    expect(response.headers.get('x-bonbon-chosen-index')).toBe('2')
    // Warm-up, the failed call, its retry: each with only the candidates not cached.
    expect(gateway.reward.requests.map((request) => (request.body as { candidates: string[] }).candidates.length)).toEqual([2, 2, 2])
  })

  it('fails the request (503) rather than choosing only among cached answers when scoring keeps failing', async () => {
    gateway = await startHonoGateway({
      backend: { answer: answerByLength },
      reward: { score: byLength, fault: failingCall((index) => index >= 1) },
      wrapRewardModel: (model) => withScoreCache(model),
      bestOfN: { rewardRetry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } },
    })
    await expect(warmThenAskFour()).rejects.toMatchObject({ status: 503, code: 'reward_model_error' })
  })
})

describe('withScoreCache', () => {
  it("rejects a scorer's short answer instead of padding it with errors, even with cached candidates", async () => {
    // A user's own scorer that, after its first call, leaves the last score out.
    let calls = 0
    const shortAfterFirst: RewardModel = {
      name: 'short-after-first',
      score: async ({ candidates }) => {
        calls += 1
        const scores = candidates.map((answer) => ({ reward: answer.length }))
        return calls === 1 ? scores : scores.slice(0, -1)
      },
    }
    const cached = withScoreCache(shortAfterFirst)
    await cached.score({ prompt: messages, candidates: ['a'] })
    const failure = await cached.score({ prompt: messages, candidates: ['a', 'bb', 'ccc'] }).catch((error: unknown) => error)
    expect(RewardModelError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({ message: 'Reward model returned 1 scores for 2 candidates.' })
  })
})
