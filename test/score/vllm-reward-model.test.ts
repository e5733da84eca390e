import { describe, expect, it } from 'vitest'
import { InvalidOptionsError, RewardModelError } from '../../src/errors.js'
import type { ChatMessage } from '../../src/protocol/chat-message.js'
import { createVllmRewardModel } from '../../src/score/vllm-reward-model.js'
import { llama3Bos, llama3ChatTemplate } from './llama3-chat-template.js'
import { useRewardServers } from './reward-server-fixture.js'

const prompt: ChatMessage[] = [
  { role: 'system', content: 'Answer briefly.' },
  { role: 'user', content: 'What is the capital of France?' },
]
const templateVariables = { bos_token: llama3Bos }
const candidates = ['Paris.', 'The capital of France is Paris.', 'Lyon, I think.']
/** A Skywork-like logit: large enough that a sigmoid would saturate every score to ~1. */
const logit = (_prompt: string, answer: string) => 17 + answer.length / 4

const start = useRewardServers()

describe.each(['pooling', 'classify'] as const)('createVllmRewardModel (%s)', (endpoint) => {
  const shape = endpoint === 'pooling' ? 'vllm-pooling' : 'vllm-classify'

  it('scores each candidate with one messages request and the raw logits', async () => {
    const server = await start({ shape, score: logit })
    const model = createVllmRewardModel({ endpoint, baseURL: server.url, model: 'Skywork/Skywork-Reward-V2-Llama-3.1-8B' })

    const scores = await model.score({ prompt, candidates })

    expect(scores).toEqual(candidates.map((answer) => ({ reward: logit('', answer) })))
    expect(server.requests).toHaveLength(3)
    const bodies = server.requests.map((request) => request.body)
    expect(bodies).toContainEqual({
      model: 'Skywork/Skywork-Reward-V2-Llama-3.1-8B',
      messages: [...prompt, { role: 'assistant', content: 'Paris.' }],
      use_activation: false,
    })
    expect(server.requests.every((request) => request.path === `/${endpoint}`)).toBe(true)
    expect(model.name).toBe(`vllm-${endpoint}:Skywork/Skywork-Reward-V2-Llama-3.1-8B`)
  })

  it('renders the reward model chat template and scores every candidate in one batched input request', async () => {
    const server = await start({ shape, score: logit })
    const model = createVllmRewardModel({
      endpoint,
      baseURL: `${server.url}/`,
      model: 'rm',
      chatTemplate: llama3ChatTemplate,
      templateVariables,
    })

    const scores = await model.score({ prompt, candidates })

    expect(scores).toEqual(candidates.map((answer) => ({ reward: logit('', answer) })))
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.body).toEqual({
      model: 'rm',
      input: candidates.map(
        (answer) =>
          `${llama3Bos}<|start_header_id|>system<|end_header_id|>\n\nAnswer briefly.<|eot_id|>` +
          `<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>` +
          `<|start_header_id|>assistant<|end_header_id|>\n\n${answer}<|eot_id|>`,
      ),
      add_special_tokens: false,
      use_activation: false,
    })
  })

  it('gives the same rewards in both input modes', async () => {
    const server = await start({ shape })
    const perMessage = createVllmRewardModel({ endpoint, baseURL: server.url, model: 'rm' })
    const batched = createVllmRewardModel({
      endpoint,
      baseURL: server.url,
      model: 'rm',
      chatTemplate: llama3ChatTemplate,
      templateVariables,
    })

    const [a, b] = await Promise.all([perMessage.score({ prompt, candidates }), batched.score({ prompt, candidates })])

    expect(b).toEqual(a)
    expect(new Set(a.map((score) => score.reward)).size).toBe(3)
  })

  it('matches batched results by index when the server lists them out of order', async () => {
    const server = await start({ shape, score: logit, reverseOrder: true })
    const model = createVllmRewardModel({ endpoint, baseURL: server.url, model: 'rm', chatTemplate: llama3ChatTemplate, templateVariables })

    const scores = await model.score({ prompt, candidates })

    expect(scores.map((score) => score.reward)).toEqual(candidates.map((answer) => logit('', answer)))
  })

  it('turns a NaN, infinite or null score into an error for that candidate only', async () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, null]
    for (const value of values) {
      const server = await start({ shape, score: logit, fault: { kind: 'scores', value, positions: [1] } })
      const model = createVllmRewardModel({ endpoint, baseURL: server.url, model: 'rm', chatTemplate: llama3ChatTemplate, templateVariables })

      const scores = await model.score({ prompt, candidates })

      expect(scores[0]).toEqual({ reward: logit('', candidates[0] as string) })
      expect(scores[1]?.reward).toBeUndefined()
      expect(scores[1]?.error).toMatch(/non-finite score/)
      expect(scores[2]).toEqual({ reward: logit('', candidates[2] as string) })
    }
  })

  it('marks a candidate the server left out as unscored', async () => {
    const server = await start({ shape, score: logit, fault: { kind: 'wrong-count' } })
    const model = createVllmRewardModel({ endpoint, baseURL: server.url, model: 'rm', chatTemplate: llama3ChatTemplate, templateVariables })

    const scores = await model.score({ prompt, candidates })

    expect(scores.slice(0, 2).map((score) => score.reward)).toEqual([logit('', 'Paris.'), logit('', candidates[1] as string)])
    expect(scores[2]).toEqual({ error: 'reward model returned no score for this candidate' })
  })
})

describe('createVllmRewardModel', () => {
  it('reads a nested [[score]] pooling result', async () => {
    const server = await start({ shape: 'vllm-pooling', score: logit, nestedPoolingData: true })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm' })

    expect(await model.score({ prompt, candidates: ['Paris.'] })).toEqual([{ reward: logit('', 'Paris.') }])
  })

  it('reads classify logits when the server sends no probs', async () => {
    const body = { data: [{ index: 1, logits: [2.5] }, { index: 0, logits: [-1.25] }] }
    const server = await start({ shape: 'vllm-classify', fault: { kind: 'status', status: 200, body } })
    const model = createVllmRewardModel({ endpoint: 'classify', baseURL: server.url, model: 'rm', chatTemplate: llama3ChatTemplate, templateVariables })

    expect(await model.score({ prompt, candidates: ['a', 'b'] })).toEqual([{ reward: -1.25 }, { reward: 2.5 }])
  })

  it('refuses a multi-value pooling result as a reward', async () => {
    const body = { data: [{ index: 0, data: [[0.1], [0.2], [0.3]] }] }
    const server = await start({ shape: 'vllm-pooling', fault: { kind: 'status', status: 200, body } })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm' })

    const [score] = await model.score({ prompt, candidates: ['a'] })

    expect(score?.error).toMatch(/3 values instead of one score/)
  })

  it('throws when the server answers an index that matches no input', async () => {
    const body = { data: [{ index: 0, data: [1] }, { index: 5, data: [2] }] }
    const server = await start({ shape: 'vllm-pooling', fault: { kind: 'status', status: 200, body } })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm', chatTemplate: llama3ChatTemplate, templateVariables })

    await expect(model.score({ prompt, candidates: ['a', 'b'] })).rejects.toThrow(/index 5/)
  })

  it('keeps the candidates whose own request succeeded when others fail', async () => {
    const server = await start({
      shape: 'vllm-pooling',
      score: logit,
      fault: (request) => (JSON.stringify(request.body).includes('Lyon') ? { kind: 'status', status: 500 } : undefined),
    })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm' })

    const scores = await model.score({ prompt, candidates })

    expect(scores[0]).toEqual({ reward: logit('', 'Paris.') })
    expect(scores[1]).toEqual({ reward: logit('', candidates[1] as string) })
    expect(scores[2]?.error).toMatch(/HTTP 500: Simulated failure/)
  })

  it('throws RewardModelError when every per-candidate request fails', async () => {
    const server = await start({ shape: 'vllm-pooling', fault: { kind: 'status', status: 503 } })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm' })

    const error: unknown = await model.score({ prompt, candidates }).catch((caught: unknown) => caught)

    expect(RewardModelError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: 503, url: `${server.url}/pooling`, isRetryable: true })
  })

  it('reports the server error of a model it does not serve', async () => {
    const server = await start({ shape: 'vllm-classify', model: 'served-rm' })
    const model = createVllmRewardModel({ endpoint: 'classify', baseURL: server.url, model: 'other-rm', chatTemplate: llama3ChatTemplate, templateVariables })

    await expect(model.score({ prompt, candidates })).rejects.toThrow(/HTTP 404: The model `other-rm` does not exist/)
  })

  it('sends the API key and extra headers through the given fetch', async () => {
    const server = await start({ shape: 'vllm-pooling', apiKey: 'sk-reward' })
    const seen: string[] = []
    const model = createVllmRewardModel({
      endpoint: 'pooling',
      baseURL: server.url,
      model: 'rm',
      apiKey: 'sk-reward',
      headers: { 'x-team': 'alignment' },
      fetch: (input, init) => {
        seen.push(String(input))
        return fetch(input, init)
      },
    })

    const scores = await model.score({ prompt, candidates: ['Paris.'] })

    expect(scores[0]?.reward).toBeTypeOf('number')
    expect(seen).toEqual([`${server.url}/pooling`])
    expect(server.requests[0]?.headers).toMatchObject({ authorization: 'Bearer sk-reward', 'x-team': 'alignment' })
  })

  it('returns no scores for no candidates without calling the server', async () => {
    const server = await start({ shape: 'vllm-pooling' })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm' })

    expect(await model.score({ prompt, candidates: [] })).toEqual([])
    expect(server.requests).toHaveLength(0)
  })

  it('rejects a bad base URL, an empty model and a broken template at construction', () => {
    expect(() => createVllmRewardModel({ endpoint: 'pooling', baseURL: 'localhost:8000', model: 'rm' })).toThrow(
      InvalidOptionsError,
    )
    expect(() =>
      createVllmRewardModel({ endpoint: 'pooling', baseURL: 'http://user:secret@127.0.0.1:1', model: 'rm' }),
    ).toThrow(/must not include credentials/)
    expect(() => createVllmRewardModel({ endpoint: 'pooling', baseURL: 'http://127.0.0.1:1', model: '' })).toThrow(
      /model must be a non-empty string/,
    )
    expect(() =>
      createVllmRewardModel({ endpoint: 'classify', baseURL: 'http://127.0.0.1:1', model: 'rm', chatTemplate: '{% for %}' }),
    ).toThrow(/chatTemplate is not a valid Jinja template/)
  })

  it('does not mutate the options it is given', () => {
    const options = { endpoint: 'pooling' as const, baseURL: 'http://127.0.0.1:1/', model: 'rm', headers: { a: 'b' } }
    const copy = structuredClone(options)

    createVllmRewardModel(options)

    expect(options).toEqual(copy)
  })
})
