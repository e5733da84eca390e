import { describe, expect, it } from 'vitest'
import {
  countLogprobTokens,
  parseUpstreamError,
  sumLogprobs,
  upstreamChunkSchema,
  upstreamCompletionSchema,
} from '../../src/protocol/upstream-response.js'

describe('parseUpstreamError', () => {
  it('reads the OpenAI envelope with a string code', () => {
    const body = {
      error: {
        message: "Unsupported parameter: 'max_tokens'",
        type: 'invalid_request_error',
        param: 'max_tokens',
        code: 'unsupported_parameter',
      },
    }
    expect(parseUpstreamError(body)).toEqual({
      message: "Unsupported parameter: 'max_tokens'",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    })
  })

  it('reads the nested vLLM envelope with an integer code', () => {
    const body = { error: { message: 'bad n', type: 'BadRequestError', param: null, code: 400 } }
    expect(parseUpstreamError(body)).toMatchObject({ message: 'bad n', code: 400, param: undefined })
  })

  it('reads the flat envelope of vLLM before 0.10.1', () => {
    const body = { object: 'error', message: 'context too long', type: 'BadRequestError', param: null, code: 400 }
    expect(parseUpstreamError(body)).toMatchObject({ message: 'context too long', type: 'BadRequestError', code: 400 })
  })

  it('reads the TEI and TGI envelope', () => {
    expect(parseUpstreamError({ error: 'Batch is empty', error_type: 'empty' })).toMatchObject({
      message: 'Batch is empty',
      type: 'empty',
    })
  })

  it('reads the optillm string envelope', () => {
    expect(parseUpstreamError({ error: 'something broke' })).toMatchObject({ message: 'something broke' })
  })

  it('reads the llama.cpp envelope', () => {
    const body = { error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' } }
    expect(parseUpstreamError(body)).toMatchObject({
      message: 'Only one completion choice is allowed',
      type: 'server_error',
      code: 500,
    })
  })

  it('reads a FastAPI validation error and names the field at fault', () => {
    const body = { detail: [{ loc: ['body', 'n'], msg: 'Input should be less than or equal to 1', type: 'x' }] }
    expect(parseUpstreamError(body)).toMatchObject({
      message: 'body.n: Input should be less than or equal to 1',
      param: 'n',
    })
  })

  it('returns undefined for a completion body', () => {
    expect(parseUpstreamError({ id: 'x', choices: [], usage: null })).toBeUndefined()
    expect(parseUpstreamError('plain text')).toBeUndefined()
    expect(parseUpstreamError(null)).toBeUndefined()
  })
})

describe('upstreamCompletionSchema', () => {
  it('accepts a chat choice whose content is null because it calls tools, keeping every field', () => {
    const choice = {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      finish_reason: 'tool_calls',
      stop_reason: null,
    }
    const parsed = upstreamCompletionSchema.parse({ id: 'x', choices: [choice] })
    expect(parsed.choices[0]).toEqual(choice)
  })

  it('accepts a legacy completion choice without index, logprobs or usage', () => {
    const parsed = upstreamCompletionSchema.parse({ choices: [{ text: 'hi', finish_reason: 'stop' }] })
    expect(parsed.choices[0]?.text).toBe('hi')
    expect(parsed.usage).toBeUndefined()
  })

  it('rejects a body without choices', () => {
    expect(upstreamCompletionSchema.safeParse({ id: 'x' }).success).toBe(false)
  })
})

describe('upstreamChunkSchema', () => {
  it('accepts the usage chunk with empty choices', () => {
    const chunk = upstreamChunkSchema.parse({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    })
    expect(chunk.usage?.completion_tokens).toBe(5)
  })

  it('accepts a chunk holding several choices and one without choices at all', () => {
    const chunk = upstreamChunkSchema.parse({
      choices: [
        { index: 1, delta: { content: 'b' }, finish_reason: null },
        { index: 0, delta: { content: 'a' } },
      ],
    })
    expect(chunk.choices?.map((choice) => choice.index)).toEqual([1, 0])
    expect(upstreamChunkSchema.safeParse({ prompt_filter_results: [] }).success).toBe(true)
  })
})

describe('sumLogprobs', () => {
  it('sums chat log-probabilities', () => {
    const logprobs = { content: [{ token: 'a', logprob: -0.5 }, { token: 'b', logprob: -0.25 }] }
    expect(sumLogprobs(logprobs)).toBeCloseTo(-0.75)
    expect(countLogprobTokens(logprobs)).toBe(2)
  })

  it('sums legacy token log-probabilities, skipping null', () => {
    const logprobs = { token_logprobs: [null, -1, -2] }
    expect(sumLogprobs(logprobs)).toBe(-3)
    expect(countLogprobTokens(logprobs)).toBe(3)
  })

  it('returns undefined when no log-probabilities came back', () => {
    expect(sumLogprobs(null)).toBeUndefined()
    expect(sumLogprobs({})).toBeUndefined()
    expect(countLogprobTokens(undefined)).toBeUndefined()
  })
})

describe('upstreamChoiceSchema', () => {
  it('drops log-probabilities of an unknown shape instead of failing the choice', () => {
    const parsed = upstreamCompletionSchema.parse({
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, logprobs: { content: 'not a list' } }],
    })
    expect(parsed.choices[0]?.message?.content).toBe('ok')
    expect(parsed.choices[0]?.logprobs).toBeUndefined()
  })
})
