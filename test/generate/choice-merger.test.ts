import { describe, expect, it } from 'vitest'
import { mergeChoiceChunk, newChoiceState, rebuildChoice } from '../../src/generate/choice-merger.js'

const now = () => 0

/** One streamed chat chunk's choice carrying one token and its log-probability. */
const tokenPiece = (token: string, logprob: number) => ({
  index: 0,
  delta: { content: token },
  logprobs: { content: [{ token, logprob, bytes: [], top_logprobs: [] }], refusal: null },
  finish_reason: null,
})

describe('mergeChoiceChunk with log-probabilities', () => {
  it('concatenates every list in order without changing the chunks it read', () => {
    const pieces = [tokenPiece('Hel', -0.1), tokenPiece('lo', -0.2), tokenPiece('!', -0.3)]
    const before = structuredClone(pieces)
    const state = newChoiceState(0)
    for (const piece of pieces) mergeChoiceChunk(state, piece, now)
    mergeChoiceChunk(state, { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }, now)

    const choice = rebuildChoice(state, 'chat')
    expect(choice['logprobs']).toEqual({
      content: [-0.1, -0.2, -0.3].map((logprob, i) => ({ token: ['Hel', 'lo', '!'][i], logprob, bytes: [], top_logprobs: [] })),
      refusal: null,
    })
    expect(pieces).toEqual(before)
  })

  it('concatenates the lists of legacy completions (tokens, token_logprobs, top_logprobs, text_offset)', () => {
    const state = newChoiceState(0)
    const first = { text: 'a', logprobs: { tokens: ['a'], token_logprobs: [-1], top_logprobs: [{ a: -1 }], text_offset: [0] } }
    const second = { text: 'b', logprobs: { tokens: ['b'], token_logprobs: [-2], top_logprobs: [{ b: -2 }], text_offset: [1] } }
    mergeChoiceChunk(state, first, now)
    mergeChoiceChunk(state, second, now)
    expect(rebuildChoice(state, 'completions')['logprobs']).toEqual({
      tokens: ['a', 'b'],
      token_logprobs: [-1, -2],
      top_logprobs: [{ a: -1 }, { b: -2 }],
      text_offset: [0, 1],
    })
    expect(first.logprobs.tokens).toEqual(['a'])
  })

  // A 50 000-token answer streamed one token per chunk: copying the list on every chunk (quadratic)
  // takes tens of seconds here; appending takes milliseconds. The bound is generous either way.
  it('merges a long answer one token per chunk in linear time', { timeout: 5_000 }, () => {
    const tokens = 50_000
    const state = newChoiceState(0)
    for (let i = 0; i < tokens; i++) mergeChoiceChunk(state, tokenPiece('x', -i), now)
    const content = (rebuildChoice(state, 'chat')['logprobs'] as { content: { logprob: number }[] }).content
    expect(content).toHaveLength(tokens)
    expect(content[tokens - 1]?.logprob).toBe(-(tokens - 1))
  })
})
