import { describe, expect, it } from 'vitest'
import { InvalidOptionsError, UpstreamError } from '../../src/errors.js'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import { simulatedLogprob, tokenize } from '../../src/testing/simulated-completion.js'
import {
  chatRequest,
  closeBackendsAfterEach,
  completionCalls,
  noRetry,
  prompt,
  seededAnswer,
  startUpstream,
} from './simulated-upstream-fixture.js'

closeBackendsAfterEach()

describe('createOpenAICompatibleBackend', () => {
  for (const stream of [false, true]) {
    describe(stream ? 'streaming upstream' : 'JSON upstream', () => {
      it('draws n candidates in one native call', async () => {
        const upstream = await startUpstream()
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native', stream })
        const result = await backend.generate({ request: chatRequest({ seed: 7 }), n: 3 })
        expect(result.fanout).toBe('native')
        expect(result.candidates.map((candidate) => candidate.text)).toEqual([7, 8, 9].map(seededAnswer))
        expect(result.candidates.map((candidate) => candidate.finishReason)).toEqual(['stop', 'stop', 'stop'])
        expect(result.candidates[2]?.rawChoice).toEqual({
          index: 2,
          message: { role: 'assistant', content: seededAnswer(9) },
          logprobs: null,
          finish_reason: 'stop',
          stop_reason: null,
        })
        expect(completionCalls(upstream)).toHaveLength(1)
        expect(completionCalls(upstream)[0]?.body).toMatchObject({ n: 3, stream, seed: 7 })
        const tokens = [7, 8, 9].reduce((total, seed) => total + tokenize(seededAnswer(seed)).length, 0)
        expect(result.usage).toEqual({ prompt_tokens: tokenize(prompt).length, completion_tokens: tokens, total_tokens: tokenize(prompt).length + tokens })
        expect(result.envelope).toEqual({
          id: 'chatcmpl-simulated-0',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'sim',
          system_fingerprint: 'fp_simulated',
        })
      })

      it('draws n candidates in parallel calls with seeds seed+i', async () => {
        const upstream = await startUpstream()
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'parallel', stream })
        const result = await backend.generate({ request: chatRequest({ seed: 40 }), n: 3 })
        expect(result.fanout).toBe('parallel')
        expect(result.candidates.map((candidate) => candidate.text)).toEqual([40, 41, 42].map(seededAnswer))
        const bodies = completionCalls(upstream).map((call) => call.body)
        expect(bodies.map((body) => body['n'])).toEqual([1, 1, 1])
        expect(bodies.map((body) => body['seed']).sort()).toEqual([40, 41, 42])
        const perCandidate = result.candidates.map((candidate) => candidate.completionTokens)
        expect(perCandidate).toEqual([40, 41, 42].map((seed) => tokenize(seededAnswer(seed)).length))
        expect(result.usage?.prompt_tokens).toBe(3 * tokenize(prompt).length)
        expect(result.usage?.completion_tokens).toBe(perCandidate.reduce((a = 0, b = 0) => a + b, 0))
      })

      it('sends no seed to parallel calls when the client gave none, even a null one', async () => {
        const upstream = await startUpstream()
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'parallel', stream })
        const result = await backend.generate({ request: chatRequest({ seed: null }), n: 3 })
        expect(new Set(result.candidates.map((candidate) => candidate.text)).size).toBe(3)
        for (const call of completionCalls(upstream)) expect(call.body).not.toHaveProperty('seed')
      })

      it('returns logprob sums, token counts and the raw choice of legacy completions', async () => {
        const upstream = await startUpstream()
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native', stream })
        const request = parseRequest({ model: 'sim', prompt, logprobs: 1, seed: 3 }, { endpoint: 'completions' })
        const result = await backend.generate({ request, n: 2 })
        expect(upstream.requests[0]?.path).toBe('/v1/completions')
        const [first] = result.candidates
        const tokens = tokenize(first?.text ?? '')
        expect(first?.text).toBe(seededAnswer(3))
        expect(first?.completionTokens).toBe(tokens.length)
        expect(first?.logprobSum).toBeCloseTo(tokens.reduce((total, token) => total + simulatedLogprob(token), 0))
        expect(first?.rawChoice).toMatchObject({ index: 0, text: seededAnswer(3), finish_reason: 'stop' })
        expect(first?.rawChoice?.['logprobs']).toMatchObject({ tokens, text_offset: expect.any(Array) })
      })
    })
  }

  it('keeps per-candidate tokens unknown for a native call without logprobs', async () => {
    const upstream = await startUpstream()
    const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native' })
    const result = await backend.generate({ request: chatRequest(), n: 2 })
    expect(result.candidates.map((candidate) => candidate.completionTokens)).toEqual([undefined, undefined])
    expect(result.candidates.map((candidate) => candidate.logprobSum)).toEqual([undefined, undefined])
    for (const candidate of result.candidates) expect(candidate.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('reports truncated candidates with finish_reason length', async () => {
    const upstream = await startUpstream()
    const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native', stream: true })
    const result = await backend.generate({ request: chatRequest({ max_tokens: 2, seed: 1 }), n: 2 })
    expect(result.candidates.map((candidate) => candidate.finishReason)).toEqual(['length', 'length'])
    expect(result.candidates[0]?.text).toBe(tokenize(seededAnswer(1)).slice(0, 2).join(''))
  })

  it('never forwards best_of or bonbon, and asks for the usage chunk when streaming', async () => {
    const upstream = await startUpstream()
    const completions = parseRequest(
      { model: 'sim', prompt, best_of: 4, n: 1, bonbon: { n: 3, return_candidates: true }, stream: true },
      { endpoint: 'completions' },
    )
    const chat = chatRequest({ bonbon: { n: 2 }, stream_options: { include_usage: false } })
    for (const fanout of ['native', 'parallel', 'auto'] as const) {
      const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout, stream: true })
      await backend.generate({ request: completions, n: 3 })
      await backend.generate({ request: chat, n: 2 })
    }
    expect(completionCalls(upstream)).toHaveLength(2 + (3 + 2) + 2)
    for (const call of completionCalls(upstream)) {
      expect(call.body).not.toHaveProperty('best_of')
      expect(call.body).not.toHaveProperty('bonbon')
      expect(call.body['stream_options']).toEqual({ include_usage: true })
    }
  })

  it('sends the key as a bearer token with the extra headers, and keeps it out of errors', async () => {
    const secret = 'sk-live-0123456789'
    const upstream = await startUpstream({
      faults: [{ kind: 'http-error', status: 401, body: { error: { message: `Incorrect API key provided: ${secret}.` } } }],
    })
    const backend = createOpenAICompatibleBackend({
      baseURL: `${upstream.url}/`,
      apiKey: secret,
      headers: { 'X-Tenant': 'acme' },
    })
    const result = await backend.generate({ request: chatRequest(), n: 2 })
    const [call] = completionCalls(upstream)
    expect(call?.headers['authorization']).toBe(`Bearer ${secret}`)
    expect(call?.headers['x-tenant']).toBe('acme')
    expect(call?.path).toBe('/v1/chat/completions')
    for (const candidate of result.candidates) {
      expect(candidate.errorStatus).toBe(401)
      expect(candidate.error).toContain('[redacted]')
      expect(candidate.error).not.toContain(secret)
    }
  })

  it('lists the upstream models as they came', async () => {
    const upstream = await startUpstream({ models: ['llama', 'qwen'], apiKey: 'k' })
    const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, apiKey: 'k' })
    const models = await backend.listModels?.()
    expect(models).toMatchObject({ object: 'list', data: [{ id: 'llama' }, { id: 'qwen' }] })
    const unauthorised = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url })
    const failure = await unauthorised.listModels?.().catch((error: unknown) => error)
    expect(UpstreamError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({ status: 401 })
  })

  it('fails every candidate of a call the upstream cannot be reached for, without throwing', async () => {
    const upstream = await startUpstream()
    await upstream.close()
    const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'parallel' })
    const result = await backend.generate({ request: chatRequest(), n: 2 })
    for (const candidate of result.candidates) {
      expect(candidate.error).toMatch(/^Upstream call to http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions failed/)
      expect(candidate.errorStatus).toBeUndefined()
    }
    expect(result.usage).toBeUndefined()
    expect(result.envelope).toEqual({})
  })

  it('rejects invalid options at construction without touching them', () => {
    const options = { baseURL: 'ftp://example.com/v1', fanout: 'auto' as const }
    expect(() => createOpenAICompatibleBackend(options)).toThrow(InvalidOptionsError)
    expect(options).toEqual({ baseURL: 'ftp://example.com/v1', fanout: 'auto' })
    const sometimes = { baseURL: 'http://127.0.0.1/v1', fanout: 'sometimes' as 'auto' }
    const failure = (() => {
      try {
        createOpenAICompatibleBackend(sometimes)
      } catch (error) {
        return error
      }
    })()
    expect(InvalidOptionsError.isInstance(failure) && failure.key).toBe('fanout')
  })
})
