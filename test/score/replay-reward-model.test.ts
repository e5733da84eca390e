import { describe, expect, it } from 'vitest'
import { RewardModelError } from '../../src/errors.js'
import { loadCandidatePool, parseCandidatePool } from '../../src/generate/candidate-pool.js'
import { createReplayBackend } from '../../src/generate/replay-backend.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import { createReplayRewardModel } from '../../src/score/replay-reward-model.js'
import { tinyPoolText } from '../generate/replay-pool-fixture.js'

const pool = parseCandidatePool(tinyPoolText)

describe('createReplayRewardModel', () => {
  it('scores recorded answers with their judge preference', async () => {
    const model = createReplayRewardModel({ pool })

    const scores = await model.score({
      prompt: [{ role: 'user', content: 'Name a fruit.' }],
      candidates: ['Cherry.', 'A banana is a fruit.'],
    })

    expect(scores).toEqual([{ reward: 0.4 }, { reward: 0.9 }])
    expect(model.name).toBe('replay')
  })

  it('marks an answer the pool does not hold for that instruction as an error', async () => {
    const model = createReplayRewardModel({ pool })

    const scores = await model.score({
      prompt: [{ role: 'user', content: 'Say hi.' }],
      candidates: ['Hi!', 'Apple.', 'Hi! '],
    })

    expect(scores).toEqual([
      { reward: 0.6 },
      { error: 'answer not in the replay pool' },
      { error: 'answer not in the replay pool' },
    ])
  })

  it('scores whatever the replay backend drew for the same request', async () => {
    const backend = createReplayBackend({ pool })
    const request = parseRequest({ model: 'replay', messages: [{ role: 'user', content: 'Name a fruit.' }], seed: 3 }, { endpoint: 'chat' })
    const { candidates } = await backend.generate({ request, n: 5 })

    const scores = await createReplayRewardModel({ pool }).score({
      prompt: request.messages,
      candidates: candidates.map((candidate) => candidate.text),
    })

    expect(scores.every((score) => typeof score.reward === 'number')).toBe(true)
    expect(Math.max(...scores.map((score) => score.reward ?? -1))).toBe(0.9)
  })

  it('fails scoring with a RewardModelError when its pool failed to load', async () => {
    const model = createReplayRewardModel({ pool: loadCandidatePool('/nonexistent/pool.jsonl', () => Promise.reject(new Error('ENOENT'))) })

    const error: unknown = await model.score({ prompt: [], candidates: ['a'] }).catch((caught: unknown) => caught)

    expect(RewardModelError.isInstance(error)).toBe(true)
    expect(String(error)).toMatch('Could not load the replay pool: Cannot read the candidate pool /nonexistent/pool.jsonl: ENOENT')
  })
})
