import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult } from '@ai-sdk/provider'
import { serve, type ServerType } from '@hono/node-server'
import { MockLanguageModelV4 } from 'ai/test'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAiSdkBackend } from '../../src/ai-sdk/ai-sdk-backend.js'
import { InvalidOptionsError, InvalidRequestError } from '../../src/errors.js'
import type { Backend } from '../../src/generate/backend.js'
import { bestOfN } from '../../src/hono/best-of-n-middleware.js'
import { toErrorResponse } from '../../src/protocol/error-response.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { seededMockModel } from './seeded-mock-model.js'

const answers = ['Short.', 'A longer, better answer.', 'Mid answer.']

let rewardServer: SimulatedRewardServer
let gateway: { url: string; close: () => Promise<void> }
beforeAll(async () => {
  rewardServer = await startSimulatedRewardServer({ shape: 'http', score: (_prompt, answer) => answer.length })
  gateway = await startGateway(createAiSdkBackend({ model: seededMockModel(answers, 7) }))
})
afterAll(async () => {
  await gateway.close()
  await rewardServer.close()
})

/** A bonbon gateway on loopback: the Hono best-of-n middleware over the given backend. */
async function startGateway(backend: Backend) {
  const app = new Hono()
  app.use('/v1/*', bestOfN({ backend, rewardModel: createHttpRewardModel({ url: rewardServer.scoreURL }), n: 3 }))
  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error)
    return c.json(body, status as 400)
  })
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started))
  })
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

function chatRequest(body: Record<string, unknown>) {
  return parseRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...body }, { endpoint: 'chat' })
}

describe('createAiSdkBackend', () => {
  it('serves an AI SDK model behind the gateway to an OpenAI client, best candidate first', async () => {
    const client = new OpenAI({ baseURL: gateway.url, apiKey: 'unused' })
    const completion = await client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'Hi' }], seed: 7 })
    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: 'A longer, better answer.' })
    expect(completion.choices[0]?.finish_reason).toBe('stop')
    expect(completion.usage).toEqual({ prompt_tokens: 30, completion_tokens: 1 + 4 + 2, total_tokens: 37 })
    expect(completion.model).toBe('mock-model-id')
  })

  it('streams the best candidate to an OpenAI client', async () => {
    const client = new OpenAI({ baseURL: gateway.url, apiKey: 'unused' })
    const stream = await client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'Hi' }], seed: 7, stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('A longer, better answer.')
  })

  it('answers a legacy completions request in the completions shape', async () => {
    const backend = createAiSdkBackend({ model: seededMockModel(answers, 7) })
    const request = parseRequest({ model: 'm', prompt: 'Hi', seed: 7 }, { endpoint: 'completions' })
    const { candidates } = await backend.generate({ request, n: 2 })
    expect(candidates[1]?.rawChoice).toEqual({ index: 1, text: 'A longer, better answer.', finish_reason: 'stop', logprobs: null })
  })

  it('turns OpenAI sampling fields into AI SDK call options, each draw with seed + i', async () => {
    const model = seededMockModel(answers, 7)
    const backend = createAiSdkBackend({ model, providerOptions: { mock: { flag: true } } })
    const request = chatRequest({
      messages: [
        { role: 'developer', content: 'Be kind.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
      ],
      seed: 7,
      temperature: 0.3,
      top_p: 0.9,
      max_completion_tokens: 50,
      stop: 'END',
      presence_penalty: 0.1,
      response_format: { type: 'json_schema', json_schema: { name: 'reply', schema: { type: 'object' } } },
    })
    await backend.generate({ request, n: 3 })
    expect(model.doGenerateCalls.map((call) => call.seed).sort()).toEqual([7, 8, 9])
    expect(model.doGenerateCalls[0]).toMatchObject({
      prompt: [
        { role: 'system', content: 'Be kind.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'AAAA' } },
          ],
        },
      ],
      temperature: 0.3,
      topP: 0.9,
      maxOutputTokens: 50,
      stopSequences: ['END'],
      presencePenalty: 0.1,
      responseFormat: { type: 'json', name: 'reply', schema: { type: 'object' } },
      providerOptions: { mock: { flag: true } },
    })
  })

  it('maps AI SDK finish reasons and usage to OpenAI names', async () => {
    const reasons = [
      { unified: 'length', raw: 'max_tokens' },
      { unified: 'content-filter', raw: 'safety' },
      { unified: 'other', raw: 'pause_turn' },
    ] as const
    const model = new MockLanguageModelV4({
      doGenerate: async (options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> => ({
        content: [{ type: 'reasoning', text: 'Thinking.' }, { type: 'text', text: `answer ${options.seed}` }],
        finishReason: reasons[(options.seed ?? 0) % 3] ?? reasons[0],
        usage: {
          inputTokens: { total: 5, noCache: 3, cacheRead: 2, cacheWrite: undefined },
          outputTokens: { total: 4, text: 2, reasoning: 2 },
        },
        warnings: [],
      }),
    })
    const result = await createAiSdkBackend({ model }).generate({ request: chatRequest({ seed: 0 }), n: 3 })
    expect(result.candidates.map((candidate) => candidate.finishReason)).toEqual(['length', 'content_filter', 'pause_turn'])
    expect(result.candidates[0]?.rawChoice).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'answer 0', reasoning_content: 'Thinking.' },
      finish_reason: 'length',
      logprobs: null,
    })
    expect(result.usage).toEqual({
      prompt_tokens: 15,
      completion_tokens: 12,
      total_tokens: 27,
      prompt_tokens_details: { cached_tokens: 6 },
      completion_tokens_details: { reasoning_tokens: 6 },
    })
    expect(result.candidates[0]?.completionTokens).toBe(4)
  })

  it('keeps a failed draw as a failed candidate with the provider’s status', async () => {
    const failure = Object.assign(new Error('Rate limited'), { statusCode: 429 })
    const backend = createAiSdkBackend({ model: seededMockModel(['Fine.', failure], 1) })
    const { candidates, usage: total } = await backend.generate({ request: chatRequest({ seed: 1 }), n: 2 })
    expect(candidates[0]).toMatchObject({ index: 0, text: 'Fine.' })
    expect(candidates[1]).toMatchObject({ index: 1, text: '', error: 'Rate limited', errorStatus: 429, finishReason: null })
    expect(total).toEqual({ prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 })
  })

  it('refuses tools and tool messages with a 400 naming the field', async () => {
    const backend = createAiSdkBackend({ model: seededMockModel(answers, 0) })
    const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }]
    await expect(backend.generate({ request: chatRequest({ tools }), n: 2 })).rejects.toMatchObject({ param: 'tools' })
    const toolMessage = chatRequest({ messages: [{ role: 'tool', content: '42', tool_call_id: 'x' }] })
    const failure = await backend.generate({ request: toolMessage, n: 2 }).catch((error: unknown) => error)
    expect(InvalidRequestError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({ param: 'messages.0.role' })
  })

  it('rejects something that is not a V4 model at construction', () => {
    // @ts-expect-error: a plain object is not a language model.
    expect(() => createAiSdkBackend({ model: { specificationVersion: 'v3' } })).toThrow(InvalidOptionsError)
  })
})
