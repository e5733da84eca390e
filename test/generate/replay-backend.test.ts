import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { InvalidRequestError } from '../../src/errors.js'
import { loadCandidatePool, parseCandidatePool } from '../../src/generate/candidate-pool.js'
import { createReplayBackend } from '../../src/generate/replay-backend.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import { alpacaBonPath, tinyPoolText } from './replay-pool-fixture.js'

const pool = parseCandidatePool(tinyPoolText)
const fruitAnswers = pool.byInstruction('Name a fruit.')?.candidates.map((candidate) => candidate.output) ?? []

function chatRequest(content: string, extra: Record<string, unknown> = {}) {
  return parseRequest(
    { model: 'replay', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }], ...extra },
    { endpoint: 'chat' },
  )
}

describe('createReplayBackend', () => {
  it('answers a recorded instruction with n distinct recorded answers in chat shape', async () => {
    const backend = createReplayBackend({ pool, now: () => 1_750_000_000_500 })

    const result = await backend.generate({ request: chatRequest('Name a fruit.'), n: 4 })

    expect(result.candidates).toHaveLength(4)
    // Without replacement: no recorded answer comes back more often than it was recorded (two are empty).
    const left = [...fruitAnswers]
    for (const candidate of result.candidates) {
      expect(left).toContain(candidate.text)
      left.splice(left.indexOf(candidate.text), 1)
    }
    result.candidates.forEach((candidate, index) => {
      expect(candidate).toEqual({
        index,
        text: candidate.text,
        finishReason: 'stop',
        rawChoice: { index, message: { role: 'assistant', content: candidate.text }, finish_reason: 'stop', logprobs: null },
        latencyMs: 0,
      })
    })
    expect(result.fanout).toBe('native')
    expect(result.usage).toBeUndefined()
    expect(result.envelope).toEqual({
      id: expect.stringMatching(/^chatcmpl-replay-/),
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'replay',
    })
  })

  it('answers a legacy completion prompt in completions shape', async () => {
    const backend = createReplayBackend({ pool })
    const request = parseRequest({ model: 'm', prompt: 'Say hi.' }, { endpoint: 'completions' })

    const result = await backend.generate({ request, n: 2 })

    expect(result.candidates.map((candidate) => candidate.text).sort()).toEqual(['Hello there.', 'Hi!'])
    expect(result.candidates[1]?.rawChoice).toEqual({ index: 1, text: result.candidates[1]?.text, finish_reason: 'stop', logprobs: null })
    expect(result.envelope).toMatchObject({ id: expect.stringMatching(/^cmpl-replay-/), object: 'text_completion', model: 'm' })
  })

  it('draws the same answers for the same seed and varies them across seeds', async () => {
    const backend = createReplayBackend({ pool })
    const draw = async (seed: number) =>
      (await backend.generate({ request: chatRequest('Name a fruit.', { seed }), n: 3 })).candidates.map((c) => c.text)

    expect(await draw(7)).toEqual(await draw(7))
    const draws = await Promise.all(Array.from({ length: 10 }, (_, seed) => draw(seed)))
    expect(new Set(draws.map((texts) => JSON.stringify(texts))).size).toBeGreaterThan(1)
  })

  it('draws from the injected seed source when the request has no seed', async () => {
    const backend = createReplayBackend({ pool, randomSeed: () => 7 })
    const seeded = await backend.generate({ request: chatRequest('Name a fruit.', { seed: 7 }), n: 3 })

    const unseeded = await backend.generate({ request: chatRequest('Name a fruit.'), n: 3 })

    expect(unseeded.candidates.map((c) => c.text)).toEqual(seeded.candidates.map((c) => c.text))
  })

  it('refuses an instruction that is not in the pool with a 400 naming messages', async () => {
    const backend = createReplayBackend({ pool })

    const error: unknown = await backend.generate({ request: chatRequest('Name a vegetable.'), n: 2 }).catch((caught: unknown) => caught)

    expect(InvalidRequestError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param: 'messages', message: expect.stringContaining('not in the replay pool') })
  })

  it('refuses to draw more answers than the pool holds', async () => {
    const backend = createReplayBackend({ pool })

    await expect(backend.generate({ request: chatRequest('Say hi.'), n: 3 })).rejects.toThrow(
      /holds 2 answers to this instruction; cannot draw 3/,
    )
  })

  it('lists one model', async () => {
    const backend = createReplayBackend({ pool, modelName: 'alpaca-bon' })

    expect(await backend.listModels?.()).toEqual({
      object: 'list',
      data: [{ id: 'alpaca-bon', object: 'model', created: 0, owned_by: 'bonbon' }],
    })
  })

  it.skipIf(!existsSync(alpacaBonPath))('replays the real alpaca-bon pool', async () => {
    const real = await loadCandidatePool(alpacaBonPath, (file) => readFile(file, 'utf8'))
    const backend = createReplayBackend({ pool: real })
    const instruction = real.items[10]?.instruction ?? ''

    const result = await backend.generate({ request: chatRequest(instruction, { seed: 1 }), n: 8 })

    expect(result.candidates).toHaveLength(8)
    expect(result.candidates.every((candidate) => real.rewardOf(instruction, candidate.text) !== undefined)).toBe(true)
  })
})
