import { describe, expect, it } from 'vitest'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import type { SimulatedFault } from '../../src/testing/simulated-faults.js'
import {
  chatRequest,
  closeBackendsAfterEach,
  completionCalls,
  nOfCalls,
  noRetry,
  seededAnswer,
  startUpstream,
} from './simulated-upstream-fixture.js'

closeBackendsAfterEach()

describe('createOpenAICompatibleBackend fan-out', () => {
  for (const stream of [false, true]) {
    describe(stream ? 'streaming upstream' : 'JSON upstream', () => {
      it('auto keeps the one choice of a backend that ignores n, draws the rest in parallel, and remembers', async () => {
        const upstream = await startUpstream({ nativeN: 'ignore' })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, stream })
        const first = await backend.generate({ request: chatRequest({ seed: 20 }), n: 3 })
        expect(first.fanout).toBe('parallel')
        expect(first.candidates.map((candidate) => candidate.text)).toEqual([20, 21, 22].map(seededAnswer))
        expect(first.candidates.every((candidate) => candidate.error === undefined)).toBe(true)
        expect(nOfCalls(upstream)).toEqual([3, 1, 1])
        const seeds = completionCalls(upstream).slice(1).map((call) => call.body['seed'])
        expect(seeds.sort()).toEqual([21, 22])
        expect(first.envelope['id']).toBe('chatcmpl-simulated-0')

        const second = await backend.generate({ request: chatRequest({ seed: 20 }), n: 3 })
        expect(second.fanout).toBe('parallel')
        expect(nOfCalls(upstream).slice(3)).toEqual([1, 1, 1])
        expect(second.candidates.map((candidate) => candidate.text)).toEqual(first.candidates.map((c) => c.text))
      })

      it('auto falls back to parallel when llama.cpp rejects n, and remembers', async () => {
        const upstream = await startUpstream({ nativeN: 'reject' })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, stream })
        const first = await backend.generate({ request: chatRequest({ seed: 5 }), n: 2 })
        expect(first.fanout).toBe('parallel')
        expect(first.candidates.map((candidate) => candidate.text)).toEqual([5, 6].map(seededAnswer))
        expect(nOfCalls(upstream)).toEqual([2, 1, 1])
        await backend.generate({ request: chatRequest(), n: 2 })
        expect(nOfCalls(upstream)).toEqual([2, 1, 1, 1, 1])
      })

      it('native reports the candidates a backend that ignores n did not return as failed', async () => {
        const upstream = await startUpstream({ nativeN: 'ignore' })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native', stream })
        const result = await backend.generate({ request: chatRequest({ seed: 1 }), n: 3 })
        expect(result.fanout).toBe('native')
        expect(result.candidates[0]?.text).toBe(seededAnswer(1))
        expect(result.candidates.slice(1).map((candidate) => candidate.error)).toEqual([
          'Upstream returned 1 of 3 choices asked for with n.',
          'Upstream returned 1 of 3 choices asked for with n.',
        ])
        expect(nOfCalls(upstream)).toEqual([3])
      })

      it('native fails every candidate when the backend rejects n', async () => {
        const upstream = await startUpstream({ nativeN: 'reject' })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native', stream })
        const result = await backend.generate({ request: chatRequest(), n: 2 })
        expect(result.candidates.map((candidate) => candidate.errorStatus)).toEqual([500, 500])
        expect(result.candidates[0]?.error).toContain('Only one completion choice is allowed')
        expect(nOfCalls(upstream)).toEqual([2])
      })
    })
  }

  const nRejections: [string, SimulatedFault][] = [
    [
      "a 400 naming param 'n'",
      { kind: 'http-error', status: 400, body: { error: { message: 'Unsupported value.', type: 'invalid_request_error', param: 'n', code: null } } },
    ],
    [
      "a 400 whose message names 'n'",
      { kind: 'http-error', status: 400, body: { object: 'error', message: "Invalid 'n': must be 1 for this model.", code: 400 } },
    ],
    [
      'a FastAPI 422 about body.n',
      { kind: 'http-error', status: 422, body: { detail: [{ loc: ['body', 'n'], msg: 'Input should be less than or equal to 1' }] } },
    ],
  ]
  for (const [name, fault] of nRejections) {
    it(`auto falls back to parallel on ${name}`, async () => {
      const upstream = await startUpstream({ faults: ({ body }) => (body['n'] === 1 ? null : fault) })
      const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url })
      const result = await backend.generate({ request: chatRequest(), n: 2 })
      expect(result.fanout).toBe('parallel')
      expect(result.candidates.every((candidate) => candidate.error === undefined)).toBe(true)
      expect(nOfCalls(upstream)).toEqual([2, 1, 1])
    })
  }

  it('auto neither falls back nor remembers on a failure unrelated to n', async () => {
    const upstream = await startUpstream({ faults: [{ kind: 'http-error', status: 400 }, { kind: 'http-error', status: 500 }] })
    const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url })
    const first = await backend.generate({ request: chatRequest(), n: 2 })
    expect(first.candidates.map((candidate) => candidate.errorStatus)).toEqual([400, 400])
    const second = await backend.generate({ request: chatRequest(), n: 2 })
    expect(second.candidates.map((candidate) => candidate.errorStatus)).toEqual([500, 500])
    const third = await backend.generate({ request: chatRequest(), n: 2 })
    expect(third.fanout).toBe('native')
    expect(nOfCalls(upstream)).toEqual([2, 2, 2])
  })

  it('keeps each instance’s fallback to itself', async () => {
    const upstream = await startUpstream({ nativeN: 'reject' })
    await createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url }).generate({ request: chatRequest(), n: 2 })
    await createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url }).generate({ request: chatRequest(), n: 2 })
    expect(nOfCalls(upstream)).toEqual([2, 1, 1, 2, 1, 1])
  })

  for (const fanout of ['native', 'parallel', 'auto'] as const) {
    for (const stream of [false, true]) {
      it(`aborting cancels every upstream call (${fanout}, ${stream ? 'streaming' : 'JSON'})`, async () => {
        const n = 3
        const expectedCalls = fanout === 'parallel' ? n : 1
        let arrived = 0
        let allArrived: () => void = () => undefined
        const arrival = new Promise<void>((resolve) => (allArrived = resolve))
        const upstream = await startUpstream({
          tokenLatencyMs: 60_000,
          faults: () => {
            if (++arrived === expectedCalls) allArrived()
            return null
          },
        })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout, stream })
        const controller = new AbortController()
        const generation = backend.generate({ request: chatRequest(), n, signal: controller.signal })
        await arrival
        controller.abort(new Error('client went away'))
        await expect(generation).rejects.toThrow('client went away')
        const outcomes = await Promise.all(completionCalls(upstream).map((call) => call.outcome))
        expect(outcomes).toEqual(Array.from({ length: expectedCalls }, () => 'client-closed'))
      })
    }
  }

  describe('with both a client signal and a deadline', () => {
    const hangingUpstream = async () => {
      let arrive: () => void = () => undefined
      const arrived = new Promise<void>((resolve) => (arrive = resolve))
      const upstream = await startUpstream({ tokenLatencyMs: 60_000, faults: () => (arrive(), null) })
      return { upstream, arrived }
    }

    it('the client going away cancels the call and rejects with its reason', async () => {
      const { upstream, arrived } = await hangingUpstream()
      const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native' })
      const client = new AbortController()
      const deadline = new AbortController()
      const generation = backend.generate({ request: chatRequest(), n: 2, signal: client.signal, deadline: deadline.signal })
      await arrived
      client.abort(new Error('client went away'))
      await expect(generation).rejects.toThrow('client went away')
      expect(await completionCalls(upstream)[0]?.outcome).toBe('client-closed')
      // Nothing follows the signals once the run is over: a later deadline changes nothing.
      deadline.abort(new Error('too late'))
    })

    it('the deadline cancels the call and fails its candidates with the deadline, without rejecting', async () => {
      const { upstream, arrived } = await hangingUpstream()
      const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native' })
      const client = new AbortController()
      const deadline = new AbortController()
      const generation = backend.generate({ request: chatRequest(), n: 2, signal: client.signal, deadline: deadline.signal })
      await arrived
      deadline.abort(new Error('deadline passed'))
      const result = await generation
      expect(result.candidates.map((candidate) => candidate.error)).toEqual([
        expect.stringContaining('deadline passed'),
        expect.stringContaining('deadline passed'),
      ])
      expect(await completionCalls(upstream)[0]?.outcome).toBe('client-closed')
      client.abort(new Error('gone after the answer'))
    })

    it('a deadline passed already fails the candidates at once', async () => {
      const upstream = await startUpstream()
      const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native' })
      const result = await backend.generate({
        request: chatRequest(),
        n: 2,
        signal: new AbortController().signal,
        deadline: AbortSignal.abort(new Error('deadline passed')),
      })
      expect(result.candidates.every((candidate) => candidate.error?.includes('deadline passed'))).toBe(true)
    })
  })

  it('rejects at once, calling nothing, when the signal is already aborted', async () => {
    const upstream = await startUpstream()
    const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url })
    await expect(backend.generate({ request: chatRequest(), n: 2, signal: AbortSignal.abort() })).rejects.toThrow()
    expect(upstream.requests).toHaveLength(0)
  })
})
