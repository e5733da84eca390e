import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { generateText, streamText, wrapLanguageModel } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bestOfNMiddleware } from '../../src/ai-sdk/best-of-n-middleware.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { startSimulatedBackend, type SimulatedBackend } from '../../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'

// Each seed gives its own answer; the reward model prefers the answer drawn with a seed closest to 18.
const answer = ({ seed }: { seed: number | undefined }) => `Answer drawn with seed ${seed}.`
const closeness = (text: string) => -Math.abs(Number(/seed (\d+)/.exec(text)?.[1]) - 18)

let backend: SimulatedBackend
let rewardServer: SimulatedRewardServer
beforeAll(async () => {
  backend = await startSimulatedBackend({ answer })
  rewardServer = await startSimulatedRewardServer({ shape: 'http', score: (_prompt, text) => closeness(text) })
})
afterAll(async () => {
  await backend.close()
  await rewardServer.close()
})

function wrappedModel() {
  const provider = createOpenAICompatible({ name: 'simulated', baseURL: backend.url, includeUsage: true })
  return wrapLanguageModel({
    model: provider.chatModel('simulated-model'),
    middleware: bestOfNMiddleware({ n: 4, rewardModel: createHttpRewardModel({ url: rewardServer.scoreURL }) }),
  })
}

describe('bestOfNMiddleware over a real OpenAI-compatible server', () => {
  it('draws n seeded completions over HTTP and generateText returns the best', async () => {
    const before = backend.requests.length
    const result = await generateText({ model: wrappedModel(), prompt: 'Say something.', seed: 16 })
    expect(result.text).toBe('Answer drawn with seed 18.')
    const seeds = backend.requests.slice(before).map((request) => request.body['seed'])
    expect(seeds.sort()).toEqual([16, 17, 18, 19])
    expect(result.providerMetadata?.['bonbon']).toMatchObject({ rewards: [-2, -1, 0, -1], chosenIndex: 2, n: 4 })
  })

  it('streamText streams the best completion and the summed usage', async () => {
    const result = streamText({ model: wrappedModel(), prompt: 'Say something.', seed: 16 })
    expect(await result.text).toBe('Answer drawn with seed 18.')
    const usage = await result.usage
    expect(usage.outputTokens).toBe(4 * 5)
    expect(usage.inputTokens).toBeGreaterThan(0)
  })
})
