import type { LanguageModelV4StreamPart } from '@ai-sdk/provider'
import { generateText, streamText, wrapLanguageModel } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bestOfNMiddleware } from '../../src/ai-sdk/best-of-n-middleware.js'
import { readBestOfNMetadata } from '../../src/ai-sdk/read-best-of-n-metadata.js'
import { InvalidOptionsError, RewardModelError } from '../../src/errors.js'
import type { LogSink, PreferenceRecord } from '../../src/log/preference-record.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import type { RewardModel } from '../../src/score/reward-model.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { seededMockModel } from './seeded-mock-model.js'

// The reward model likes sweetness: one point per "sweet" in the answer.
const answers = ['A plain answer.', 'A sweet, sweet answer.', 'Sour.', 'Sweet.']
const best = 'A sweet, sweet answer.'
const sweetness = (_prompt: string, answer: string) => (answer.match(/sweet/gi) ?? []).length

let rewardServer: SimulatedRewardServer
let rewardModel: RewardModel
beforeAll(async () => {
  rewardServer = await startSimulatedRewardServer({ shape: 'http', score: sweetness })
  rewardModel = createHttpRewardModel({ url: rewardServer.scoreURL })
})
afterAll(() => rewardServer.close())

/** A log sink that keeps records in memory and says when the next one arrives. */
function memorySink() {
  const records: PreferenceRecord[] = []
  let arrived: (record: PreferenceRecord) => void = () => undefined
  const next = new Promise<PreferenceRecord>((resolve) => (arrived = resolve))
  const sink: LogSink = {
    write: async (record) => {
      records.push(record)
      arrived(record)
    },
    flush: async () => undefined,
    close: async () => undefined,
  }
  return { sink, records, next }
}

describe('bestOfNMiddleware', () => {
  it('makes generateText return the candidate the reward model likes best', async () => {
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware({ n: 4, rewardModel }) })
    const result = await generateText({ model, prompt: 'Describe candy.', seed: 100 })
    expect(result.text).toBe(best)
    expect(readBestOfNMetadata(result.providerMetadata)).toEqual({
      rewards: [0, 2, 0, 1],
      chosenIndex: 1,
      n: 4,
      requestId: expect.any(String),
      degraded: null,
    })
  })

  it('makes streamText stream the best candidate as text parts, then finish with the rewards', async () => {
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware({ n: 4, rewardModel }) })
    const result = streamText({ model, prompt: 'Describe candy.', seed: 100 })
    const chunks: string[] = []
    for await (const chunk of result.textStream) chunks.push(chunk)
    expect(chunks.join('')).toBe(best)
    expect(await result.text).toBe(best)
    expect((await result.providerMetadata)?.['bonbon']).toMatchObject({ rewards: [0, 2, 0, 1], chosenIndex: 1, n: 4 })
    expect((await result.usage).outputTokens).toBe(3 + 4 + 1 + 1)
  })

  it('emits proper V4 stream parts when the wrapped model is streamed directly', async () => {
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware({ n: 4, rewardModel }) })
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], seed: 100 })
    const parts: LanguageModelV4StreamPart[] = []
    const reader = stream.getReader()
    for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(read.value)
    expect(parts.map((part) => part.type)).toEqual(['stream-start', 'response-metadata', 'text-start', 'text-delta', 'text-end', 'finish'])
    expect(parts[3]).toEqual({ type: 'text-delta', id: '0', delta: best })
    expect(parts[5]).toMatchObject({ type: 'finish', finishReason: { unified: 'stop' }, providerMetadata: { bonbon: { chosenIndex: 1 } } })
  })

  it('reports the usage of all n calls, not only the winner', async () => {
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware({ n: 4, rewardModel }) })
    const result = await generateText({ model, prompt: 'Describe candy.', seed: 100 })
    expect(result.usage.inputTokens).toBe(40)
    expect(result.usage.outputTokens).toBe(3 + 4 + 1 + 1)
  })

  it('draws each candidate with its own seed: the caller’s plus i, or a random base', async () => {
    const seeded = seededMockModel(answers, 100)
    const model = wrapLanguageModel({ model: seeded, middleware: bestOfNMiddleware({ n: 4, rewardModel }) })
    await generateText({ model, prompt: 'Describe candy.', seed: 100, temperature: 0.7 })
    expect(seeded.doGenerateCalls.map((call) => call.seed).sort()).toEqual([100, 101, 102, 103])
    expect(seeded.doGenerateCalls.every((call) => call.temperature === 0.7)).toBe(true)

    const unseeded = seededMockModel(answers, 5_000)
    const random = bestOfNMiddleware({ n: 4, rewardModel, randomSeed: () => 5_000 })
    await generateText({ model: wrapLanguageModel({ model: unseeded, middleware: random }), prompt: 'Describe candy.' })
    expect(unseeded.doGenerateCalls.map((call) => call.seed).sort()).toEqual([5_000, 5_001, 5_002, 5_003])
  })

  it('sends the reward model the prompt as chat messages, text parts only', async () => {
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware({ n: 2, rewardModel }) })
    const before = rewardServer.requests.length
    await generateText({
      model,
      seed: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe ' }, { type: 'text', text: 'candy.' }] }],
    })
    expect(rewardServer.requests[before]?.body).toEqual({
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Describe candy.' },
      ],
      candidates: answers.slice(0, 2),
    })
  })

  it('never chooses a failed candidate, and logs it with its error', async () => {
    const { sink, next } = memorySink()
    const failing = ['A plain answer.', new Error('upstream 500'), 'Sweet.']
    const model = wrapLanguageModel({ model: seededMockModel(failing, 100), middleware: bestOfNMiddleware({ n: 3, rewardModel, log: sink }) })
    const result = await generateText({ model, prompt: 'Describe candy.', seed: 100 })
    expect(result.text).toBe('Sweet.')
    expect(result.providerMetadata?.['bonbon']).toMatchObject({ rewards: [0, null, 1], chosenIndex: 2 })
    const record = await next
    expect(record.candidates[1]).toMatchObject({ index: 1, text: '', reward: null, error: 'upstream 500' })
  })

  it('throws the first error when every candidate fails', async () => {
    const failing = [new Error('first failure'), new Error('second failure')]
    const model = wrapLanguageModel({ model: seededMockModel(failing, 100), middleware: bestOfNMiddleware({ n: 2, rewardModel }) })
    await expect(generateText({ model, prompt: 'Describe candy.', seed: 100, maxRetries: 0 })).rejects.toThrow('first failure')
  })

  it('throws a RewardModelError when the reward model scores no candidate', async () => {
    const unscoring: RewardModel = { name: 'broken', score: async ({ candidates }) => candidates.map(() => ({ error: 'no' })) }
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware({ n: 2, rewardModel: unscoring }) })
    const failure = await generateText({ model, prompt: 'Hi', seed: 100, maxRetries: 0 }).catch((error: unknown) => error)
    expect(RewardModelError.isInstance(failure)).toBe(true)
  })

  it('logs the scored set as a preference record, as the gateway does', async () => {
    const { sink, next } = memorySink()
    const middleware = bestOfNMiddleware({ n: 4, rewardModel, log: sink, generateId: () => 'request-1' })
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware })
    const result = await generateText({ model, system: 'Be sweet.', prompt: 'Describe candy.', seed: 100, temperature: 0.5, maxOutputTokens: 64 })
    expect(result.providerMetadata?.['bonbon']).toMatchObject({ requestId: 'request-1' })
    const record = await next
    expect(record).toMatchObject({
      requestId: 'request-1',
      endpoint: 'chat',
      fanout: 'parallel',
      model: 'mock-model-id',
      n: 4,
      rewardModel: `http (${new URL(rewardServer.scoreURL).host})`,
      messages: [
        { role: 'system', content: 'Be sweet.' },
        { role: 'user', content: 'Describe candy.' },
      ],
      params: { temperature: 0.5, max_tokens: 64, seed: 100 },
      chosen: 1,
      best: 1,
      worst: 2,
      promptTokens: 40,
      completionTokens: 9,
      degraded: null,
    })
    expect(record.candidates.map((candidate) => [candidate.text, candidate.reward, candidate.finishReason])).toEqual([
      ['A plain answer.', 0, 'stop'],
      [best, 2, 'stop'],
      ['Sour.', 0, 'stop'],
      ['Sweet.', 1, 'stop'],
    ])
  })

  it('passes calls through untouched when n is 1', async () => {
    const seeded = seededMockModel(answers, 100)
    const model = wrapLanguageModel({ model: seeded, middleware: bestOfNMiddleware({ n: 1, rewardModel }) })
    const before = rewardServer.requests.length
    const result = await generateText({ model, prompt: 'Describe candy.', seed: 100 })
    expect(result.text).toBe(answers[0])
    expect(readBestOfNMetadata(result.providerMetadata)).toBeUndefined()
    expect(seeded.doGenerateCalls).toHaveLength(1)
    expect(seeded.doGenerateCalls[0]?.seed).toBe(100)
    expect(rewardServer.requests.length).toBe(before)
  })

  it('rejects invalid options at construction', () => {
    for (const n of [0, 1.5, 129, Number.NaN]) {
      expect(() => bestOfNMiddleware({ n, rewardModel })).toThrow(InvalidOptionsError)
    }
    // @ts-expect-error: a reward model is required.
    expect(() => bestOfNMiddleware({ n: 2 })).toThrow(/rewardModel/)
  })
})
