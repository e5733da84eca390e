import { describe, expect, it } from 'vitest'
import { RewardModelError } from '../../src/errors.js'
import type { ChatMessage } from '../../src/protocol/chat-message.js'
import { createTeiRewardModel } from '../../src/score/tei-reward-model.js'
import { useRewardServers } from './reward-server-fixture.js'

const prompt: ChatMessage[] = [
  { role: 'user', content: 'Name a primary colour.' },
  { role: 'assistant', content: 'Red.' },
  { role: 'user', content: [{ type: 'text', text: 'Another one?' }] },
]
const candidates = ['Blue.', 'Yellow is one too.']
const logit = (question: string, answer: string) => (question === 'Another one?' ? 20 + answer.length : -100)

const start = useRewardServers()

describe('createTeiRewardModel', () => {
  it('scores (last user message, answer) pairs in one /predict call with raw scores', async () => {
    const server = await start({ shape: 'tei', score: logit })
    const model = createTeiRewardModel({ baseURL: server.url })

    const scores = await model.score({ prompt, candidates })

    expect(scores).toEqual([{ reward: 25 }, { reward: 38 }])
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.path).toBe('/predict')
    expect(server.requests[0]?.body).toEqual({
      inputs: [
        ['Another one?', 'Blue.'],
        ['Another one?', 'Yellow is one too.'],
      ],
      raw_scores: true,
      truncate: true,
    })
    expect(model.name).toBe(`tei (${new URL(server.url).host})`)
  })

  it('turns a null or string score into an error for that candidate', async () => {
    for (const value of [null, '0.5']) {
      const server = await start({ shape: 'tei', score: logit, fault: { kind: 'scores', value, positions: [0] } })
      const model = createTeiRewardModel({ baseURL: server.url })

      const scores = await model.score({ prompt, candidates })

      expect(scores[0]?.error).toMatch(/non-finite score/)
      expect(scores[1]).toEqual({ reward: 38 })
    }
  })

  it('throws when the number of results differs from the number of candidates', async () => {
    const server = await start({ shape: 'tei', fault: { kind: 'wrong-count' } })
    const model = createTeiRewardModel({ baseURL: server.url })

    await expect(model.score({ prompt, candidates })).rejects.toThrow(/returned 1 results for 2 candidates/)
  })

  it('reports the TEI error envelope with its type', async () => {
    const body = { error: 'Input validation error: inputs must have less than 512 tokens', error_type: 'validation' }
    const server = await start({ shape: 'tei', fault: { kind: 'status', status: 413, body } })
    const model = createTeiRewardModel({ baseURL: server.url })

    const error: unknown = await model.score({ prompt, candidates }).catch((caught: unknown) => caught)

    expect(RewardModelError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      status: 413,
      isRetryable: false,
      responseBody: JSON.stringify(body),
      message: expect.stringContaining('inputs must have less than 512 tokens (validation)'),
    })
  })
})
