import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../src/errors.js'
import { collectStream, type CollectStreamOptions } from '../../src/generate/stream-collector.js'
import type { SseEvent } from '../../src/protocol/sse-reader.js'

async function* eventsOf(payloads: readonly (string | object)[]): AsyncGenerator<SseEvent> {
  for (const payload of payloads) {
    yield { event: undefined, id: undefined, data: typeof payload === 'string' ? payload : JSON.stringify(payload) }
  }
}

let tick = 0
const chat: CollectStreamOptions = { endpoint: 'chat', now: () => ++tick, url: 'http://upstream/v1/chat/completions' }
const envelope = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' }

describe('collectStream', () => {
  it('rebuilds interleaved choices by index, whatever the order and however many per chunk', async () => {
    const collected = await collectStream(
      eventsOf([
        { ...envelope, choices: [], prompt_filter_results: [] },
        { ...envelope, choices: [{ index: 1, delta: { role: 'assistant', content: '' } }] },
        { ...envelope, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
        { ...envelope, choices: [{ index: 1, delta: { content: 'Hi' } }, { index: 0, delta: { content: 'Hel' } }] },
        { ...envelope, choices: [{ index: 0, delta: { content: 'lo' } }] },
        { ...envelope, choices: [{ index: 1, delta: {}, finish_reason: 'length', stop_reason: null }] },
        { ...envelope, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        { ...envelope, choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } },
        '[DONE]',
      ]),
      chat,
    )
    expect(collected.choices.map((choice) => choice.rawChoice)).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Hello' }, logprobs: null, finish_reason: 'stop' },
      {
        index: 1,
        message: { role: 'assistant', content: 'Hi' },
        logprobs: null,
        finish_reason: 'length',
        stop_reason: null,
      },
    ])
    expect(collected.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })
    expect(collected.envelope).toEqual({ ...envelope, object: 'chat.completion', prompt_filter_results: [] })
    const [first, second] = collected.choices
    expect(second?.completedAt).toBeLessThan(first?.completedAt ?? 0)
  })

  it('concatenates chat logprobs and tool-call argument fragments', async () => {
    const collected = await collectStream(
      eventsOf([
        {
          choices: [
            {
              index: 0,
              delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] },
              logprobs: { content: [{ token: 'x', logprob: -1 }] },
            },
          ],
        },
        {
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
              logprobs: { content: [{ token: 'y', logprob: -2 }] },
            },
          ],
        },
        { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
        '[DONE]',
      ]),
      chat,
    )
    expect(collected.choices[0]?.rawChoice).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      logprobs: { content: [{ token: 'x', logprob: -1 }, { token: 'y', logprob: -2 }] },
      finish_reason: 'tool_calls',
    })
  })

  it('rebuilds legacy completion text and token logprobs', async () => {
    const collected = await collectStream(
      eventsOf([
        { object: 'text_completion', choices: [{ index: 0, text: 'a', logprobs: { tokens: ['a'], token_logprobs: [-1] } }] },
        { choices: [{ index: 0, text: 'b', logprobs: { tokens: ['b'], token_logprobs: [-2] } }] },
        { choices: [{ index: 0, text: '', finish_reason: 'stop' }] },
        '[DONE]',
      ]),
      { ...chat, endpoint: 'completions' },
    )
    expect(collected.choices[0]?.rawChoice).toEqual({
      index: 0,
      text: 'ab',
      logprobs: { tokens: ['a', 'b'], token_logprobs: [-1, -2] },
      finish_reason: 'stop',
    })
    expect(collected.usage).toBeUndefined()
  })

  it('fails on an error frame even though [DONE] follows', async () => {
    const events = eventsOf([
      { choices: [{ index: 0, delta: { content: 'par' } }] },
      { error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } },
      '[DONE]',
    ])
    const failure = await collectStream(events, chat).catch((error: unknown) => error)
    expect(UpstreamError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({ status: 500, message: expect.stringContaining('CUDA out of memory') })
  })

  it('fails when the stream ends before [DONE] with a choice unfinished', async () => {
    const events = eventsOf([{ choices: [{ index: 0, delta: { content: 'cut' } }] }])
    await expect(collectStream(events, chat)).rejects.toThrow('ended before [DONE]')
  })

  it('accepts a stream without [DONE] when every choice finished', async () => {
    const collected = await collectStream(eventsOf([{ choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] }]), chat)
    expect(collected.choices).toHaveLength(1)
  })

  it('fails on data that is not a completion chunk', async () => {
    await expect(collectStream(eventsOf(['{"choices": ', '[DONE]']), chat)).rejects.toThrow('not a completion chunk')
  })

  it('wraps a broken-off stream in an UpstreamError', async () => {
    async function* broken(): AsyncGenerator<SseEvent> {
      yield { event: undefined, id: undefined, data: JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' } }] }) }
      throw new TypeError('terminated', { cause: new Error('other side closed') })
    }
    const failure = await collectStream(broken(), chat).catch((error: unknown) => error)
    expect(UpstreamError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({ message: expect.stringContaining('other side closed') })
  })
})
