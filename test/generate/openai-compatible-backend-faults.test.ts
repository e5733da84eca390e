import { describe, expect, it } from 'vitest'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import type { SimulatedFault } from '../../src/testing/simulated-faults.js'
import {
  chatRequest,
  closeBackendsAfterEach,
  completionCalls,
  noRetry,
  seededAnswer,
  startUpstream,
} from './simulated-upstream-fixture.js'

closeBackendsAfterEach()

interface FaultCase {
  readonly name: string
  readonly fault: SimulatedFault
  /** The status the failed candidates carry. */
  readonly status: number | undefined
  /** Part of the failed candidates' error. */
  readonly message: string | RegExp
  /** Whether the fault exists only for streamed calls. */
  readonly streamOnly?: boolean
}

const cases: FaultCase[] = [
  { name: '429 with Retry-After', fault: { kind: 'http-error', status: 429, retryAfter: 2 }, status: 429, message: 'Upstream answered 429: Simulated upstream error (429).' },
  { name: '500', fault: { kind: 'http-error', status: 500 }, status: 500, message: 'Upstream answered 500' },
  { name: '503 with a plain-text body', fault: { kind: 'http-error', status: 503, body: 'upstream overloaded' }, status: 503, message: 'Upstream answered 503: upstream overloaded' },
  { name: '400', fault: { kind: 'http-error', status: 400 }, status: 400, message: 'Upstream answered 400' },
  { name: '200 with an error body', fault: { kind: 'error-body' }, status: undefined, message: 'Upstream answered 200 with an error: Simulated upstream error (500).' },
  {
    name: '200 with a llama.cpp error body',
    fault: { kind: 'error-body', body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } } },
    status: 503,
    message: 'Loading model',
  },
  { name: 'an error frame followed by [DONE]', fault: { kind: 'stream-error' }, status: undefined, message: 'Upstream stream reported an error', streamOnly: true },
  { name: 'an error frame before any chunk', fault: { kind: 'stream-error', afterChunks: 0, body: { object: 'error', message: 'KV cache full', code: 500 } }, status: 500, message: 'KV cache full', streamOnly: true },
  { name: 'a connection dropped mid-body', fault: { kind: 'drop' }, status: undefined, message: /failed|broke off/ },
  { name: 'a connection dropped right after the headers', fault: { kind: 'drop', afterBytes: 0 }, status: undefined, message: /failed|broke off|ended before/ },
]

describe('createOpenAICompatibleBackend under upstream faults', () => {
  for (const stream of [false, true]) {
    for (const testCase of cases) {
      if (testCase.streamOnly && !stream) continue
      const label = `${testCase.name} (${stream ? 'streaming' : 'JSON'})`

      for (const fanout of ['native', 'auto'] as const) {
        it(`${fanout} fails every candidate, without throwing, on ${label}`, async () => {
          const upstream = await startUpstream({ faults: [testCase.fault] })
          const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout, stream })
          const result = await backend.generate({ request: chatRequest({ seed: 1 }), n: 3 })
          expect(result.fanout).toBe('native')
          expect(completionCalls(upstream)).toHaveLength(1)
          for (const candidate of result.candidates) {
            expect(candidate.text).toBe('')
            expect(candidate.rawChoice).toBeUndefined()
            expect(candidate.errorStatus).toBe(testCase.status)
            expect(candidate.error).toMatch(testCase.message)
          }
          expect(result.usage).toBeUndefined()
          // The fault was a one-off: the next request goes native again and succeeds.
          const next = await backend.generate({ request: chatRequest({ seed: 1 }), n: 3 })
          expect(next.fanout).toBe('native')
          expect(next.candidates.map((candidate) => candidate.text)).toEqual([1, 2, 3].map(seededAnswer))
        })
      }

      it(`parallel fails only the faulted call's candidate on ${label}`, async () => {
        const upstream = await startUpstream({ faults: [testCase.fault] })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'parallel', stream })
        const result = await backend.generate({ request: chatRequest({ seed: 1 }), n: 3 })
        const failed = result.candidates.filter((candidate) => candidate.error !== undefined)
        expect(failed).toHaveLength(1)
        expect(failed[0]?.errorStatus).toBe(testCase.status)
        expect(failed[0]?.error).toMatch(testCase.message)
        for (const candidate of result.candidates) {
          if (candidate.error === undefined) expect(candidate.text).toBe(seededAnswer(1 + candidate.index))
        }
        expect(result.usage?.completion_tokens).toBeGreaterThan(0)
      })
    }
  }
})
