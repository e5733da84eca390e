import { describe, expect, it } from 'vitest'
import { defaultSimulatedRewardScore, startSimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { useRewardServers } from '../score/reward-server-fixture.js'

const start = useRewardServers()

async function post(url: string, body: unknown): Promise<{ status: number; text: string; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, text, json }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
const messages = [
  { role: 'user', content: 'Q?' },
  { role: 'assistant', content: 'An answer.' },
]

describe('startSimulatedRewardServer', () => {
  it('applies a sigmoid on vLLM unless use_activation is false, as vLLM does for 1-label models', async () => {
    const server = await start({ shape: 'vllm-pooling', score: () => 3 })

    const activated = await post(server.scoreURL, { model: 'rm', messages })
    const raw = await post(server.scoreURL, { model: 'rm', messages, use_activation: false })

    expect(activated.json).toMatchObject({ object: 'list', data: [{ index: 0, object: 'pooling', data: [sigmoid(3)] }] })
    expect(raw.json).toMatchObject({ data: [{ index: 0, data: [3] }] })
  })

  it('answers /classify with probs per index, reversed on request', async () => {
    const server = await start({ shape: 'vllm-classify', score: (_prompt, answer) => answer.length, reverseOrder: true })

    const { json } = await post(server.scoreURL, { model: 'rm', input: ['a', 'bbb'], use_activation: false })

    expect(json).toMatchObject({
      data: [
        { index: 1, label: 'LABEL_0', probs: [3], num_classes: 1 },
        { index: 0, label: 'LABEL_0', probs: [1], num_classes: 1 },
      ],
    })
  })

  it('applies a sigmoid on TEI unless raw_scores is true, and answers a single pair unbatched', async () => {
    const server = await start({ shape: 'tei', score: (prompt, answer) => prompt.length - answer.length })

    const activated = await post(server.scoreURL, { inputs: [['four', 'a']] })
    const raw = await post(server.scoreURL, { inputs: ['four', 'a'], raw_scores: true })

    expect(activated.json).toEqual([[{ score: sigmoid(3), label: 'LABEL_0' }]])
    expect(raw.json).toEqual([{ score: 3, label: 'LABEL_0' }])
  })

  it('reads a Llama-3 rendering back into its prompt and answer', async () => {
    const seen: string[] = []
    const server = await start({ shape: 'vllm-pooling', score: (prompt, answer) => (seen.push(`${prompt}|${answer}`), 0) })
    const input = '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nAn answer.<|eot_id|>'

    await post(server.scoreURL, { input, add_special_tokens: false })

    expect(seen).toEqual(['Q?|An answer.'])
  })

  it('writes non-finite scores as Python does', async () => {
    const server = await start({ shape: 'http', score: () => 1, fault: { kind: 'scores', value: Number.NaN, positions: [0] } })

    const { text } = await post(server.scoreURL, { prompt: [{ role: 'user', content: 'Q' }], candidates: ['a', 'b'] })

    expect(text).toBe('{"scores":[NaN,1]}')
  })

  it('answers malformed requests, unknown paths, models and keys with the shape error envelope', async () => {
    const server = await start({ shape: 'vllm-pooling', model: 'rm', apiKey: 'k' })
    const authorized = (body: unknown) =>
      fetch(server.scoreURL, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(body) })

    const both = await authorized({ model: 'rm', messages, input: 'x' })
    const otherModel = await authorized({ model: 'other', messages })
    const noKey = await post(server.scoreURL, { model: 'rm', messages })
    const unknownPath = await post(`${server.url}/v1/pooling`, {})

    expect(both.status).toBe(400)
    expect(await both.json()).toMatchObject({ error: { code: 400, message: expect.stringContaining('not both') } })
    expect(otherModel.status).toBe(404)
    expect(noKey.status).toBe(401)
    expect(unknownPath.status).toBe(404)
    expect(server.requests.map((request) => request.path)).toEqual(['/pooling', '/pooling', '/pooling'])
  })

  it('drops the connection when asked', async () => {
    const server = await start({ shape: 'tei', fault: { kind: 'drop' } })

    await expect(post(server.scoreURL, { inputs: [['q', 'a']] })).rejects.toThrow(/fetch failed/)
  })

  it('injects a fault chosen per request', async () => {
    const server = await start({ shape: 'http', fault: (_request, index) => (index === 1 ? { kind: 'status', status: 502 } : undefined) })
    const body = { prompt: [], candidates: ['a'] }

    const statuses = [(await post(server.scoreURL, body)).status, (await post(server.scoreURL, body)).status, (await post(server.scoreURL, body)).status]

    expect(statuses).toEqual([200, 502, 200])
  })

  it('cuts a hanging answer when it closes', async () => {
    let resolve = () => {}
    const arrived = new Promise<void>((done) => (resolve = done))
    const server = await startSimulatedRewardServer({ shape: 'http', fault: () => (resolve(), { kind: 'hang' }) })
    const pending = post(server.scoreURL, { prompt: [], candidates: ['a'] })
    await arrived

    await server.close()

    await expect(pending).rejects.toThrow()
  })
})

describe('defaultSimulatedRewardScore', () => {
  it('is deterministic and mostly prefers longer answers', () => {
    const short = 'Yes.'
    const long = 'Yes, and here is a detailed explanation of why that is the case.'

    expect(defaultSimulatedRewardScore('Q', short)).toBe(defaultSimulatedRewardScore('Q', short))
    expect(defaultSimulatedRewardScore('Q', long)).toBeGreaterThan(defaultSimulatedRewardScore('Q', short))
    expect(defaultSimulatedRewardScore('Q', short)).not.toBe(defaultSimulatedRewardScore('R', short))
  })
})
