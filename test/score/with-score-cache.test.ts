import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import type { ChatMessage } from '../../src/protocol/chat-message.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { withScoreCache } from '../../src/score/with-score-cache.js'
import type { SimulatedRewardServer, SimulatedRewardServerOptions } from '../../src/testing/simulated-reward-server.node.js'
import { useRewardServers } from './reward-server-fixture.js'

const prompt: ChatMessage[] = [{ role: 'user', content: 'Say hi.' }]
const length = (_prompt: string, answer: string) => answer.length

const startServer = useRewardServers()
async function start(options: Partial<SimulatedRewardServerOptions> = {}) {
  const server = await startServer({ shape: 'http', score: length, ...options })
  return { server, model: createHttpRewardModel({ url: server.scoreURL }) }
}

/** The candidates of each scoring call the server received. */
const scoredBatches = (server: SimulatedRewardServer) =>
  server.requests.map((request) => (request.body as { candidates: string[] }).candidates)

describe('withScoreCache', () => {
  it('sends only the candidates it has not scored before, and answers in order', async () => {
    const { server, model } = await start()
    const cached = withScoreCache(model)
    await cached.score({ prompt, candidates: ['a', 'bb'] })
    const scores = await cached.score({ prompt, candidates: ['bb', 'cccc', 'a'] })
    expect(scores).toEqual([{ reward: 2 }, { reward: 4 }, { reward: 1 }])
    expect(scoredBatches(server)).toEqual([['a', 'bb'], ['cccc']])
    expect(cached.stats).toMatchObject({ hits: 2, misses: 3, entries: 3 })
  })

  it('makes no call when every candidate is cached', async () => {
    const { server, model } = await start()
    const cached = withScoreCache(model)
    await cached.score({ prompt, candidates: ['a', 'bb'] })
    expect(await cached.score({ prompt, candidates: ['bb', 'a'] })).toEqual([{ reward: 2 }, { reward: 1 }])
    expect(server.requests).toHaveLength(1)
  })

  it('scores an answer that several candidates share once', async () => {
    const { server, model } = await start()
    const scores = await withScoreCache(model).score({ prompt, candidates: ['same', 'other', 'same'] })
    expect(scores).toEqual([{ reward: 4 }, { reward: 5 }, { reward: 4 }])
    expect(scoredBatches(server)).toEqual([['same', 'other']])
  })

  it('keeps the scores of different prompts apart', async () => {
    const { server, model } = await start({ score: (p, answer) => p.length + answer.length })
    const cached = withScoreCache(model)
    await cached.score({ prompt, candidates: ['x'] })
    const other = await cached.score({ prompt: [{ role: 'user', content: 'Say hello, please.' }], candidates: ['x'] })
    expect(other).toEqual([{ reward: 19 }])
    expect(server.requests).toHaveLength(2)
  })

  it('does not cache a failed score, so the candidate is scored again next time', async () => {
    const { server, model } = await start({
      fault: (_request, index) => (index === 0 ? { kind: 'scores', value: Number.NaN, positions: [1] } : undefined),
    })
    const cached = withScoreCache(model)
    const first = await cached.score({ prompt, candidates: ['a', 'bb'] })
    expect(first[0]).toEqual({ reward: 1 })
    expect(first[1]?.error).toBeDefined()
    expect(await cached.score({ prompt, candidates: ['a', 'bb'] })).toEqual([{ reward: 1 }, { reward: 2 }])
    expect(scoredBatches(server)).toEqual([['a', 'bb'], ['bb']])
  })

  it('throws when the reward model fails for the rest, though some candidates were cached', async () => {
    const { model } = await start({ fault: (_request, index) => (index === 1 ? { kind: 'status', status: 500 } : undefined) })
    const cached = withScoreCache(model)
    await cached.score({ prompt, candidates: ['a'] })
    // The caller's retry and onFailure policy decide; choosing among cached answers alone would not be best-of-n.
    await expect(cached.score({ prompt, candidates: ['a', 'bb'] })).rejects.toThrow(/HTTP 500/)
  })

  it('still throws when the reward model fails and nothing was cached', async () => {
    const { model } = await start({ fault: { kind: 'status', status: 500 } })
    await expect(withScoreCache(model).score({ prompt, candidates: ['a'] })).rejects.toThrow(/HTTP 500/)
  })

  it('forgets the least recently used score beyond maxEntries', async () => {
    const { server, model } = await start()
    const cached = withScoreCache(model, { maxEntries: 2 })
    await cached.score({ prompt, candidates: ['a', 'bb'] })
    await cached.score({ prompt, candidates: ['a'] })
    await cached.score({ prompt, candidates: ['ccc'] })
    await cached.score({ prompt, candidates: ['a', 'bb'] })
    expect(scoredBatches(server)).toEqual([['a', 'bb'], ['ccc'], ['bb']])
  })

  it('holds no more bytes than maxBytes, evicting to make room', async () => {
    const { server, model } = await start()
    // A key is the prompt's 64-hex digest, a separator and the answer, as UTF-16, plus 8 bytes.
    const entryBytes = (answer: string) => (64 + 1 + answer.length) * 2 + 8
    const long = 'x'.repeat(500)
    const cached = withScoreCache(model, { maxBytes: entryBytes(long) + entryBytes('a') })
    await cached.score({ prompt, candidates: [long, 'a'] })
    expect(cached.stats.bytes).toBe(entryBytes(long) + entryBytes('a'))
    await cached.score({ prompt, candidates: ['b'] })
    expect(cached.stats.bytes).toBeLessThanOrEqual(entryBytes(long) + entryBytes('a'))
    await cached.score({ prompt, candidates: [long] })
    expect(scoredBatches(server)).toEqual([[long, 'a'], ['b'], [long]])
  })

  it('refuses limits that are not positive integers', () => {
    const model = createHttpRewardModel({ url: 'http://127.0.0.1:9/score' })
    expect(() => withScoreCache(model, { maxEntries: 0 })).toThrow(InvalidOptionsError)
    expect(() => withScoreCache(model, { maxBytes: 1.5 })).toThrow(/maxBytes/)
  })
})
