import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import type { ChatMessage } from '../../src/protocol/chat-message.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { useRewardServers } from './reward-server-fixture.js'

const prompt: ChatMessage[] = [{ role: 'user', content: 'Say hi.' }]
const length = (_prompt: string, answer: string) => answer.length

const start = useRewardServers()

describe('createHttpRewardModel', () => {
  it('posts the prompt and candidates and reads one score per candidate', async () => {
    const server = await start({ shape: 'http', score: length })
    const model = createHttpRewardModel({ url: server.scoreURL })

    const scores = await model.score({ prompt, candidates: ['hi', 'hello there'] })

    expect(scores).toEqual([{ reward: 2 }, { reward: 11 }])
    expect(server.requests[0]?.body).toEqual({ prompt, candidates: ['hi', 'hello there'] })
  })

  it('turns a NaN score written by a Python server into an error for that candidate', async () => {
    const server = await start({ shape: 'http', score: length, fault: { kind: 'scores', value: Number.NaN, positions: [1] } })
    const model = createHttpRewardModel({ url: server.scoreURL })

    const scores = await model.score({ prompt, candidates: ['hi', 'hello there', 'hey'] })

    expect(scores[0]).toEqual({ reward: 2 })
    expect(scores[1]?.error).toMatch(/non-finite score/)
    expect(scores[2]).toEqual({ reward: 3 })
  })

  it('throws when the server returns fewer scores than candidates', async () => {
    const server = await start({ shape: 'http', score: length, fault: { kind: 'wrong-count' } })
    const model = createHttpRewardModel({ url: server.scoreURL })

    await expect(model.score({ prompt, candidates: ['a', 'b'] })).rejects.toThrow(/returned 1 scores for 2 candidates/)
  })

  it('throws on an answer without a scores list', async () => {
    const server = await start({ shape: 'http', fault: { kind: 'status', status: 200, body: { rewards: [1] } } })
    const model = createHttpRewardModel({ url: server.scoreURL })

    await expect(model.score({ prompt, candidates: ['a'] })).rejects.toThrow(/unexpected shape \(scores: /)
  })

  it('posts to the URL exactly as configured, trailing slash included', async () => {
    const server = await start({ shape: 'http' })
    const model = createHttpRewardModel({ url: `${server.scoreURL}/` })

    await expect(model.score({ prompt, candidates: ['a'] })).rejects.toThrow(/HTTP 404/)
    expect(server.requests).toHaveLength(0)
  })

  it('rejects a URL that is not http(s)', () => {
    expect(() => createHttpRewardModel({ url: 'ftp://127.0.0.1/score' })).toThrow(InvalidOptionsError)
  })
})
