import type OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { startGateway, type Gateway } from '../app/gateway-fixture.js'
import { startRecordedUpstream, startRespondGateway, type RecordedUpstream, type RespondGateway } from './recorded-upstream-fixture.js'

const messages = [{ role: 'user' as const, content: 'Is caramel a colour?' }]

/** A token's log-probability as OpenAI writes it. */
const token = (text: string, logprob: number) => {
  const bytes = [...new TextEncoder().encode(text)]
  return { token: text, logprob, bytes, top_logprobs: [{ token: text, logprob, bytes }] }
}

// Longer than one delta (32 characters) and full of characters a careless cut would split.
const reasoning = 'The user asks about caramel 🍮; caramel is a brown-orange hue — so yes, it names a colour. '.repeat(2)
const content = 'Yes: caramel is a warm 🟫 brown, named after the confection (café au lait is lighter). 👩‍🍳'
const refusal = 'I’m sorry, I can’t help with that — 🙅‍♀️ it would be unsafe to answer this request in full.'

/** vLLM's answer for a reasoning model: `reasoning_content` beside the content, and its own `stop_reason`. */
const reasoningChoice = {
  index: 0,
  message: { role: 'assistant', content, reasoning_content: reasoning, tool_calls: [] },
  logprobs: { content: [token('Yes', -0.01), token(':', -0.2), token(' caramel', -0.3)] },
  finish_reason: 'stop',
  stop_reason: 128_009,
}

/** OpenAI's answer when the model refuses: no content, a `refusal`, its log-probabilities apart. */
const refusalChoice = {
  index: 0,
  message: { role: 'assistant', content: null, refusal, annotations: [] },
  logprobs: { content: null, refusal: [token('I', -0.05), token('’m', -0.1)] },
  finish_reason: 'stop',
}

function completionWith(choice: Record<string, unknown>) {
  return {
    id: 'chatcmpl-recorded',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'recorded-model',
    choices: [choice],
    usage: { prompt_tokens: 9, completion_tokens: 30, total_tokens: 39 },
  }
}

/** Every field the deltas of choice 0 carried, strings concatenated in order, plus the logprobs lists. */
async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const fields: Record<string, string> = {}
  const order: string[] = []
  const pieces: string[] = []
  const logprobs: { content: unknown[]; refusal: unknown[] } = { content: [], refusal: [] }
  let finish: Record<string, unknown> | undefined
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      for (const [key, value] of Object.entries(choice.delta as Record<string, unknown>)) {
        if (typeof value !== 'string' || key === 'role') continue
        fields[key] = (fields[key] ?? '') + value
        if (value !== '' && order.at(-1) !== key) order.push(key)
        pieces.push(value)
      }
      logprobs.content.push(...(choice.logprobs?.content ?? []))
      logprobs.refusal.push(...(choice.logprobs?.refusal ?? []))
      if (choice.finish_reason) finish = choice as unknown as Record<string, unknown>
    }
  }
  return { fields, order, pieces, logprobs, finish }
}

/** A lone surrogate or a leading combining mark or joiner would mean a delta split a character. */
const splitCharacter = /^[\u0300-\u036f\u200d\ufe0f\udc00-\udfff]|[\ud800-\udbff\u200d]$/

describe('streamed answers say what the JSON answer says', () => {
  let upstream: RecordedUpstream | undefined
  let gateway: RespondGateway | Gateway | undefined
  afterEach(async () => {
    await gateway?.close()
    await upstream?.close()
    gateway = upstream = undefined
  })

  it('streams reasoning_content before the content, whole and never splitting a character', async () => {
    upstream = await startRecordedUpstream(() => completionWith(reasoningChoice))
    const { client } = (gateway = await startRespondGateway(upstream.url))
    const json = await client.chat.completions.create({ model: 'recorded-model', messages })
    const streamed = await collect(await client.chat.completions.create({ model: 'recorded-model', messages, stream: true }))

    const message = json.choices[0]?.message as unknown as Record<string, unknown>
    expect(message['reasoning_content']).toBe(reasoning)
    expect(streamed.fields).toEqual({ content, reasoning_content: reasoning })
    expect(streamed.order).toEqual(['reasoning_content', 'content'])
    for (const piece of streamed.pieces) expect(piece).not.toMatch(splitCharacter)
  })

  it('streams a refusal and its log-probabilities', async () => {
    upstream = await startRecordedUpstream(() => completionWith(refusalChoice))
    const { client } = (gateway = await startRespondGateway(upstream.url))
    const request = { model: 'recorded-model', messages, logprobs: true } as const
    const json = await client.chat.completions.create(request)
    const streamed = await collect(await client.chat.completions.create({ ...request, stream: true }))

    expect(json.choices[0]?.message.refusal).toBe(refusal)
    expect(streamed.fields).toEqual({ content: '', refusal })
    expect(streamed.logprobs.refusal).toEqual(json.choices[0]?.logprobs?.refusal)
    expect(streamed.logprobs.refusal).toHaveLength(2)
  })

  it('ends the choice with the fields the upstream added to it, as the JSON choice has them', async () => {
    upstream = await startRecordedUpstream(() => completionWith(reasoningChoice))
    const { client } = (gateway = await startRespondGateway(upstream.url))
    const json = await client.chat.completions.create({ model: 'recorded-model', messages })
    const streamed = await collect(await client.chat.completions.create({ model: 'recorded-model', messages, stream: true }))
    expect(json.choices[0]).toMatchObject({ stop_reason: 128_009 })
    expect(streamed.finish).toMatchObject({ finish_reason: 'stop', stop_reason: 128_009 })
  })

  it('streams the chosen answer’s log-probabilities when the client asked for them', async () => {
    gateway = await startGateway({ stream: true })
    const request = { model: 'simulated-model', messages, seed: 7, logprobs: true } as const
    const json = await gateway.client.chat.completions.create(request)
    const streamed = await collect(await gateway.client.chat.completions.create({ ...request, stream: true }))
    const expected = json.choices[0]?.logprobs?.content ?? []
    expect(expected.length).toBeGreaterThan(1)
    expect(streamed.logprobs.content).toEqual(expected)
    expect(streamed.fields['content']).toBe(json.choices[0]?.message.content)
  })

  it('keeps log-probabilities asked for the log only out of the stream', async () => {
    gateway = await startGateway({ log: { referenceLogprobs: true } })
    const stream = await gateway.client.chat.completions.create({ model: 'simulated-model', messages, seed: 7, stream: true })
    const streamed = await collect(stream)
    expect(gateway.backend.requests.at(-1)?.body['logprobs']).toBe(true)
    expect(streamed.logprobs).toEqual({ content: [], refusal: [] })
    expect(streamed.fields['content']?.length).toBeGreaterThan(0)
  })

  it('streams legacy completions with their log-probabilities', async () => {
    gateway = await startGateway()
    const request = { model: 'simulated-model', prompt: 'Say hi', seed: 7, logprobs: 1 } as const
    const json = await gateway.client.completions.create(request)
    const text: string[] = []
    const tokens: string[] = []
    const logprobs: (number | null)[] = []
    for await (const chunk of await gateway.client.completions.create({ ...request, stream: true })) {
      for (const choice of chunk.choices) {
        text.push(choice.text)
        tokens.push(...(choice.logprobs?.tokens ?? []))
        logprobs.push(...(choice.logprobs?.token_logprobs ?? []))
      }
    }
    expect(text.join('')).toBe(json.choices[0]?.text)
    expect(tokens.length).toBeGreaterThan(1)
    expect(tokens).toEqual(json.choices[0]?.logprobs?.tokens)
    expect(logprobs).toEqual(json.choices[0]?.logprobs?.token_logprobs)
  })
})
