import { generateText, wrapLanguageModel } from 'ai'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bestOfNMiddleware, type BestOfNMiddlewareOptions } from '../../src/ai-sdk/best-of-n-middleware.js'
import { readBestOfNMetadata } from '../../src/ai-sdk/read-best-of-n-metadata.js'
import { BonbonError, InvalidOptionsError, RewardModelError } from '../../src/errors.js'
import type { LogSink, PreferenceRecord } from '../../src/log/preference-record.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import {
  startSimulatedRewardServer,
  type SimulatedRewardServer,
  type SimulatedRewardServerOptions,
} from '../../src/testing/simulated-reward-server.node.js'
import { seededMockModel, type MockAnswer } from './seeded-mock-model.js'

// The reward model likes sweetness: one point per "sweet" in the answer.
const answers = ['A plain answer.', 'A sweet, sweet answer.', 'Sour.', 'Sweet.']
const sweetness = (_prompt: string, answer: string) => (answer.match(/sweet/gi) ?? []).length
const prompt = 'Describe candy.'

let rewardServer: SimulatedRewardServer | undefined
afterEach(async () => {
  vi.useRealTimers()
  await rewardServer?.close()
  rewardServer = undefined
})

/** A loopback reward server (bonbon's `http` shape) with the fault given, and a model wrapped to use it. */
async function start(options: {
  fault?: SimulatedRewardServerOptions['fault']
  answers?: readonly MockAnswer[]
  middleware?: Partial<BestOfNMiddlewareOptions>
}) {
  const server = await startSimulatedRewardServer({ shape: 'http', score: sweetness, fault: options.fault })
  rewardServer = server
  const middleware = bestOfNMiddleware({
    n: (options.answers ?? answers).length,
    rewardModel: createHttpRewardModel({ url: server.scoreURL }),
    ...options.middleware,
  })
  const model = wrapLanguageModel({ model: seededMockModel(options.answers ?? answers, 100), middleware })
  // maxRetries 0: the AI SDK's own retries would hide what the middleware did.
  const call = () => generateText({ model, prompt, seed: 100, maxRetries: 0 })
  return { server, call }
}

/** A log sink that keeps what it is handed; `write` does what the test says. */
function recordingSink(options: { durable?: boolean; write?: () => Promise<void> } = {}) {
  const records: PreferenceRecord[] = []
  const sink: LogSink = {
    durable: options.durable ?? false,
    write: (record) => {
      records.push(record)
      return options.write?.() ?? Promise.resolve()
    },
    flush: async () => undefined,
    close: async () => undefined,
  }
  return { sink, records }
}

/**
 * Waits, in real time, until something happened. Only `setTimeout` is faked where time matters (the
 * reward timeout and the retry back-off); sockets and `setImmediate` run for real.
 */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > 5_000) throw new Error(`Timed out waiting until ${what}.`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Settles a promise into a value and tells when it did, so a call can be left running while time moves on. */
function settle<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false }
  const done = promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  )
  return { state, done }
}

describe('bestOfNMiddleware when the reward model misbehaves, as the gateway does', () => {
  it('cuts a reward model that hangs at 30 s (rewardTimeoutMs), tries once more, then fails with a RewardModelError', async () => {
    const { server, call } = await start({ fault: { kind: 'hang' } })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const answer = settle(call())
    await until(() => server.requests.length === 1, 'the reward model was called')
    await vi.advanceTimersByTimeAsync(29_000)
    expect(answer.state.settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1_000)
    // The default reward retry tries once more, after at most 100 ms.
    await vi.advanceTimersByTimeAsync(500)
    await until(() => server.requests.length === 2, 'scoring was tried again')
    await vi.advanceTimersByTimeAsync(30_000)
    await until(() => answer.state.settled, 'the call failed')
    expect(RewardModelError.isInstance(answer.state.error)).toBe(true)
    expect(String(answer.state.error)).toMatch(/did not answer within 30000 ms/)
  })

  it('honours a shorter rewardTimeoutMs with no retry (rewardRetry.maxRetries 0)', async () => {
    const { server, call } = await start({
      fault: { kind: 'hang' },
      middleware: { rewardTimeoutMs: 1_000, rewardRetry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } },
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const answer = settle(call())
    await until(() => server.requests.length === 1, 'the reward model was called')
    await vi.advanceTimersByTimeAsync(1_000)
    await until(() => answer.state.settled, 'the call failed')
    expect(String(answer.state.error)).toMatch(/did not answer within 1000 ms/)
    expect(server.requests).toHaveLength(1)
  })

  it('retries a scorer that fails once, and answers with the best candidate', async () => {
    const { server, call } = await start({ fault: (_request, index) => (index === 0 ? { kind: 'status', status: 503 } : undefined) })
    const result = await call()
    expect(result.text).toBe('A sweet, sweet answer.')
    expect(readBestOfNMetadata(result.providerMetadata)).toMatchObject({ rewards: [0, 2, 0, 1], chosenIndex: 1, degraded: null })
    expect(server.requests).toHaveLength(2)
  })

  it("answers with the first good candidate, marked degraded, when scoring fails under onRewardFailure 'first'", async () => {
    const { sink, records } = recordingSink()
    const { call } = await start({
      fault: { kind: 'status', status: 503 },
      answers: [new Error('upstream 500'), 'A plain answer.', 'Sweet.'],
      middleware: { onRewardFailure: 'first', log: sink, generateId: () => 'degraded-1' },
    })
    const result = await call()
    expect(result.text).toBe('A plain answer.')
    const metadata = readBestOfNMetadata(result.providerMetadata)
    expect(metadata).toMatchObject({ rewards: [null, null, null], chosenIndex: 1, n: 3, requestId: 'degraded-1' })
    expect(metadata?.degraded).toMatch(/^reward_model_failed: /)
    await until(() => records.length === 1, 'the record was logged')
    expect(records[0]).toMatchObject({ requestId: 'degraded-1', chosen: 1, best: null, worst: null, degraded: metadata?.degraded })
  })
})

describe('bestOfNMiddleware logs a call that drew candidates but failed, as the gateway does', () => {
  it('logs every candidate failing with chosen null, and still throws the first error as is', async () => {
    const { sink, records } = recordingSink()
    const { server, call } = await start({
      answers: [new Error('first failure'), new Error('second failure')],
      middleware: { log: sink, generateId: () => 'failed-1' },
    })
    await expect(call()).rejects.toThrow('first failure')
    await until(() => records.length === 1, 'the record was logged')
    expect(records[0]).toMatchObject({
      requestId: 'failed-1',
      n: 2,
      chosen: null,
      best: null,
      worst: null,
      degraded: 'failed: all_candidates_failed: All 2 candidates failed; first error: first failure',
    })
    expect(records[0]?.candidates.map((candidate) => candidate.error)).toEqual(['first failure', 'second failure'])
    expect(server.requests).toHaveLength(0)
  })

  it("logs a scoring failure under onRewardFailure 'error' with chosen null, the candidates kept", async () => {
    const { sink, records } = recordingSink()
    const { call } = await start({
      fault: { kind: 'status', status: 503 },
      middleware: { log: sink, rewardRetry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } },
    })
    const failure = await call().catch((error: unknown) => error)
    expect(RewardModelError.isInstance(failure)).toBe(true)
    await until(() => records.length === 1, 'the record was logged')
    expect(records[0]).toMatchObject({ chosen: null, best: null, worst: null, degraded: expect.stringMatching(/^failed: reward_model_error: /) })
    expect(records[0]?.candidates.map((candidate) => [candidate.text, candidate.reward])).toEqual(answers.map((text) => [text, null]))
  })
})

describe('bestOfNMiddleware with a durable log sink', () => {
  it('returns the answer only once its record is stored', async () => {
    let store: () => void = () => undefined
    const stored = new Promise<void>((resolve) => (store = resolve))
    const { sink, records } = recordingSink({ durable: true, write: () => stored })
    const { call } = await start({ middleware: { log: sink } })
    const answer = settle(call())
    await until(() => records.length === 1, 'the record was handed to the sink')
    // Enough turns of the event loop for an answer that does not wait for the sink to come back.
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve))
    expect(answer.state.settled).toBe(false)
    store()
    await answer.done
    expect(answer.state.value?.text).toBe('A sweet, sweet answer.')
  })

  it('fails the call (log_write_failed) when a durable sink cannot store the record, and tells onLogError', async () => {
    const logErrors: unknown[] = []
    const { sink } = recordingSink({ durable: true, write: () => Promise.reject(new Error('disk full')) })
    const { call } = await start({ middleware: { log: sink, onLogError: (error) => logErrors.push(error) } })
    const failure = await call().catch((error: unknown) => error)
    expect(BonbonError.isInstance(failure) && failure.code).toBe('log_write_failed')
    expect(logErrors).toEqual([new Error('disk full')])
  })

  it('does not wait for a sink that is not durable', async () => {
    const { sink, records } = recordingSink({ write: () => new Promise<void>(() => undefined) })
    const { call } = await start({ middleware: { log: sink } })
    expect((await call()).text).toBe('A sweet, sweet answer.')
    expect(records).toHaveLength(1)
  })
})

describe('bestOfNMiddleware reward options', () => {
  const rewardModel = createHttpRewardModel({ url: 'http://127.0.0.1:9/score' })
  it.each([
    ['rewardTimeoutMs', 0],
    ['rewardTimeoutMs', -1],
    ['rewardTimeoutMs', Number.NaN],
    ['rewardTimeoutMs', Number.POSITIVE_INFINITY],
    // setTimeout fires at once beyond 2³¹−1 ms, which would turn a long timeout into none.
    ['rewardTimeoutMs', 2 ** 31],
    ['rewardRetry', { maxRetries: -1, baseDelayMs: 100, maxDelayMs: 500 }],
    ['rewardRetry', { maxRetries: 1.5, baseDelayMs: 100, maxDelayMs: 500 }],
    ['rewardRetry', { maxRetries: 1, baseDelayMs: Number.NaN, maxDelayMs: 500 }],
    ['rewardRetry', { maxRetries: 1, baseDelayMs: 100 }],
    ['rewardRetry', { maxRetries: 1, baseDelayMs: 100, maxDelayMs: 500, random: 0.5 }],
    ['onRewardFailure', 'ignore'],
  ] as const)('refuses %s = %o at construction, naming the option', (key, value) => {
    const options = { n: 2, rewardModel, [key]: value } as unknown as BestOfNMiddlewareOptions
    expect(() => bestOfNMiddleware(options)).toThrow(InvalidOptionsError)
    expect(() => bestOfNMiddleware(options)).toThrow(new RegExp(`bestOfNMiddleware option ${key}`))
  })

  it('resolves the options once, never reading the caller’s object again', async () => {
    const { sink, records } = recordingSink()
    const options: BestOfNMiddlewareOptions = {
      n: 2,
      rewardModel,
      log: sink,
      rewardRetry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
      onRewardFailure: 'first',
    }
    const model = wrapLanguageModel({ model: seededMockModel(answers, 100), middleware: bestOfNMiddleware(options) })
    options.onRewardFailure = 'error'
    // Nothing listens on port 9: scoring fails, and the policy resolved at construction applies.
    const result = await generateText({ model, prompt, seed: 100, maxRetries: 0 })
    expect(readBestOfNMetadata(result.providerMetadata)?.degraded).toMatch(/^reward_model_failed: /)
    expect(records).toHaveLength(1)
  })
})
