import { describe, expect, it } from 'vitest'
import { InvalidRequestError } from '../../src/errors.js'
import { parseRequest } from '../../src/protocol/parse-request.js'

const chat = (body: unknown, headerN?: string) => parseRequest(body, { endpoint: 'chat', headerN })

function paramOf(run: () => unknown): string | null {
  try {
    run()
  } catch (error) {
    if (InvalidRequestError.isInstance(error)) return error.param
    throw error
  }
  throw new Error('expected an InvalidRequestError')
}

describe('parseRequest', () => {
  it('strips the fields bonbon owns and keeps unknown OpenAI fields', () => {
    const request = chat({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
      best_of: 3,
      bonbon: { n: 8, return_candidates: true },
      reasoning_effort: 'low',
      temperature: 0.7,
    })
    expect(request.upstreamBody).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      reasoning_effort: 'low',
      temperature: 0.7,
    })
    expect(request).toMatchObject({ clientN: 2, requestedN: 8, stream: true, includeUsage: true, returnCandidates: true })
  })

  it('takes the fan-out size from the x-bonbon-n header', () => {
    expect(chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, '6').requestedN).toBe(6)
  })

  it('names the field at fault', () => {
    expect(paramOf(() => chat({ model: 'm', messages: [] }))).toBe('messages')
    expect(paramOf(() => chat({ messages: [{ role: 'user', content: 'x' }] }))).toBe('model')
    expect(paramOf(() => chat({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 }))).toBe('temperature')
    expect(paramOf(() => chat({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 0 }))).toBe('n')
    expect(paramOf(() => chat({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }))).toBe('max_tokens')
    expect(paramOf(() => chat({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }))).toBe('messages.0.role')
    expect(paramOf(() => chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'four'))).toBe('x-bonbon-n')
  })

  it('turns a legacy completion prompt into one user message', () => {
    const request = parseRequest({ model: 'm', prompt: ['Say hi'], max_tokens: 5 }, { endpoint: 'completions' })
    expect(request.messages).toEqual([{ role: 'user', content: 'Say hi' }])
    expect(request.upstreamBody).toEqual({ model: 'm', prompt: ['Say hi'], max_tokens: 5 })
  })

  it('refuses a body that is not an object', () => {
    expect(() => chat([1, 2])).toThrow(/JSON object/)
  })
})

describe('parseRequest and the fan-out size', () => {
  const messages = [{ role: 'user', content: 'hi' }]

  it('prefers the body over the header', () => {
    expect(chat({ model: 'm', messages, bonbon: { n: 5 } }, '2').requestedN).toBe(5)
  })

  it("takes a legacy completion's best_of as the fan-out size", () => {
    const request = parseRequest({ model: 'm', prompt: 'Say hi', best_of: 6 }, { endpoint: 'completions' })
    expect(request.requestedN).toBe(6)
    expect(request.upstreamBody).not.toHaveProperty('best_of')
  })

  it('refuses an unknown key in the bonbon field', () => {
    expect(paramOf(() => chat({ model: 'm', messages, bonbon: { return_candidate: true } }))).toBe('bonbon')
  })
})
