import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { answerByLength, startGateway, type Gateway } from './gateway-fixture.js'

const byLength = (_prompt: string, answer: string) => answer.length
const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
/** What the simulated backend answers for choice `index` of a native call with `seed` (seed + index, as vLLM). */
const expected = (index: number, seed = 7) => answerByLength({ index, seed: seed + index })

describe('the gateway, through the openai client', () => {
  let gateway: Gateway
  beforeAll(async () => {
    gateway = await startGateway({ reward: { score: byLength } })
  })
  afterAll(() => gateway.close())

  it('answers with the best of n and reports it in headers', async () => {
    const { data, response } = await gateway.client.chat.completions
      .create({ model: 'simulated-model', messages, seed: 7 })
      .withResponse()
    // Choices 0..3 carry 10, 30, 50 and 20 extra characters: choice 2 is the best.
    expect(data.choices).toHaveLength(1)
    expect(data.choices[0]?.message.content).toBe(expected(2))
    expect(data.choices[0]?.index).toBe(0)
    expect(response.headers.get('x-bonbon-n')).toBe('4')
    expect(response.headers.get('x-bonbon-chosen-index')).toBe('2')
    expect(response.headers.get('x-bonbon-chosen-reward')).toBe(String(expected(2).length))
    expect(response.headers.get('x-bonbon-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('reports usage summed over every candidate drawn', async () => {
    const single = await gateway.client.chat.completions.create(
      { model: 'simulated-model', messages, seed: 7 },
      { headers: { 'x-bonbon-n': '1' } },
    )
    const four = await gateway.client.chat.completions.create({ model: 'simulated-model', messages, seed: 7 })
    expect(four.usage?.completion_tokens).toBeGreaterThan(single.usage?.completion_tokens ?? Infinity)
    const native = gateway.backend.requests.at(-1)
    expect(native?.body['n']).toBe(4)
  })

  it('passes n = 1 through without calling the reward model', async () => {
    const scored = gateway.reward.requests.length
    const { data, response } = await gateway.client.chat.completions
      .create({ model: 'simulated-model', messages, seed: 7 }, { headers: { 'x-bonbon-n': '1' } })
      .withResponse()
    expect(data.choices[0]?.message.content).toBe(expected(0))
    expect(response.headers.get('x-bonbon-chosen-index')).toBe('0')
    expect(response.headers.has('x-bonbon-chosen-reward')).toBe(false)
    expect(gateway.reward.requests.length).toBe(scored)
  })

  it('returns the top candidates best first when the client asks for n = 2', async () => {
    const completion = await gateway.client.chat.completions.create({ model: 'simulated-model', messages, seed: 7, n: 2 })
    expect(completion.choices.map((choice) => choice.message.content)).toEqual([expected(2), expected(1)])
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1])
  })

  it('streams the chosen answer as OpenAI chunks with a usage chunk', async () => {
    const stream = await gateway.client.chat.completions.create({
      model: 'simulated-model',
      messages,
      seed: 7,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    })
    const text = ['', '']
    const finish: (string | null)[] = [null, null]
    let usage: OpenAI.CompletionUsage | null | undefined
    let roles = 0
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        text[choice.index] += choice.delta.content ?? ''
        if (choice.delta.role === 'assistant') roles += 1
        if (choice.finish_reason) finish[choice.index] = choice.finish_reason
      }
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toEqual([expected(2), expected(1)])
    expect(finish).toEqual(['stop', 'stop'])
    expect(roles).toBe(2)
    expect(usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('adds the bonbon summary when the request asks for return_candidates', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'simulated-model', messages, seed: 7, bonbon: { n: 3, return_candidates: true } }),
    })
    const body = (await response.json()) as { bonbon: Record<string, unknown> }
    expect(body.bonbon).toEqual({
      candidates: [0, 1, 2].map((index) => ({
        index,
        reward: expected(index).length,
        finish_reason: 'stop',
        error: null,
      })),
      chosen: 2,
      best: 2,
      worst: 0,
      n: 3,
      degraded: null,
    })
    const forwarded = gateway.backend.requests.at(-1)?.body ?? {}
    expect(forwarded).not.toHaveProperty('bonbon')
    expect(forwarded['n']).toBe(3)
  })

  it('answers legacy completions', async () => {
    const completion = await gateway.client.completions.create({ model: 'simulated-model', prompt: 'Say hi', seed: 7 })
    expect(completion.object).toBe('text_completion')
    expect(completion.choices[0]?.text).toBe(expected(2))
    expect(gateway.backend.requests.at(-1)?.path).toBe('/v1/completions')
  })

  it('passes the model list through and answers health checks', async () => {
    const models = await gateway.client.models.list()
    expect(models.data.map((model) => model.id)).toEqual(['simulated-model'])
    const health = await fetch(`${gateway.url}/healthz`)
    expect(await health.json()).toMatchObject({ status: 'ok', counters: { failed: 0, degraded: 0 } })
  })

  it('keeps every scored set in the store, across a restart', async () => {
    const { response } = await gateway.client.chat.completions
      .create({ model: 'simulated-model', messages, seed: 7 })
      .withResponse()
    const requestId = response.headers.get('x-bonbon-request-id')
    await gateway.restart()
    const store = openSqliteStore(gateway.storePath)
    try {
      const record = [...store.readRecords()].find((candidate) => candidate.requestId === requestId)
      expect(record).toMatchObject({
        endpoint: 'chat',
        model: 'simulated-model',
        messages,
        params: { model: 'simulated-model', seed: 7 },
        n: 4,
        fanout: 'native',
        chosen: 2,
        best: 2,
        worst: 0,
        degraded: null,
      })
      expect(record?.candidates.map((candidate) => candidate.text)).toEqual([0, 1, 2, 3].map((index) => expected(index)))
      expect(record?.candidates.map((candidate) => candidate.reward)).toEqual([0, 1, 2, 3].map((index) => expected(index).length))
      const before = store.count()
      await gateway.client.chat.completions.create({ model: 'simulated-model', messages, seed: 8 })
      await gateway.restart()
      expect(store.count()).toBe(before + 1)
    } finally {
      store.close()
    }
  })
})
