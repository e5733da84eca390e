import OpenAI from 'openai'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import { defaultRetryPolicy } from '../../src/generate/retry.js'
import { bestOfN } from '../../src/hono/best-of-n-middleware.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { startHonoGateway, type HonoGateway } from './hono-gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]

let gateway: HonoGateway | undefined
afterEach(async () => {
  vi.useRealTimers()
  await gateway?.close()
  gateway = undefined
})

/**
 * Waits, in real time, until the loopback servers have done something. Only `setTimeout` is faked
 * in these tests (the middleware's deadline and timeouts, the retry back-off); sockets and
 * `setImmediate` run for real.
 */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > 5_000) throw new Error(`Timed out waiting until ${what}.`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Settles a promise into a value, so a request can be left running while time is moved on. */
const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }))

describe('bestOfN defaults, as in the README Hono example', () => {
  it("answers an upstream's Retry-After beyond 30 s at once, passing it on, rather than holding the request for an hour", async () => {
    gateway = await startHonoGateway({
      backend: { faults: [{ kind: 'http-error', status: 429, retryAfter: 3600 }] },
      retry: defaultRetryPolicy,
    })
    const { backend, client } = gateway

    const { error } = (await settle(client.chat.completions.create({ model: 'm', messages }))) as { error: unknown }

    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited' })
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3600')
    expect(backend.requests).toHaveLength(1)
  })

  it("waits out an upstream's Retry-After within 30 s, then tries again", async () => {
    gateway = await startHonoGateway({
      backend: { faults: [{ kind: 'http-error', status: 429, retryAfter: 20 }] },
      retry: defaultRetryPolicy,
    })
    const { backend, client } = gateway
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const answer = settle(client.chat.completions.create({ model: 'm', messages }))
    await until(() => backend.requests.length === 1, 'the upstream was called')
    await vi.advanceTimersByTimeAsync(19_000)
    expect(backend.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1_000)
    await until(() => backend.requests.length === 2, 'the call was retried 20 s later')
    expect(await answer).toMatchObject({ value: { choices: [expect.anything()] } })
  })

  it('gives up drawing candidates after 120 s (deadlineMs) when the upstream never answers', async () => {
    gateway = await startHonoGateway({ backend: { tokenLatencyMs: 3_600_000 } })
    const { backend, client } = gateway
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const answer = settle(client.chat.completions.create({ model: 'm', messages }))
    await until(() => backend.requests.length === 1, 'the upstream was called')
    await vi.advanceTimersByTimeAsync(119_000)
    expect(backend.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1_000)
    const { error } = (await answer) as { error: unknown }
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(error).toMatchObject({ status: 504 })
  })

  it('bounds each scoring attempt at 30 s (rewardTimeoutMs) when the reward model hangs', async () => {
    gateway = await startHonoGateway({ reward: { fault: { kind: 'hang' } } })
    const { reward, client } = gateway
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const answer = settle(client.chat.completions.create({ model: 'm', messages }))
    await until(() => reward.requests.length === 1, 'the reward model was called')
    await vi.advanceTimersByTimeAsync(30_000)
    // The default reward retry tries once more, after at most 500 ms.
    await vi.advanceTimersByTimeAsync(500)
    await until(() => reward.requests.length === 2, 'scoring was tried again')
    await vi.advanceTimersByTimeAsync(30_000)
    const { error } = (await answer) as { error: unknown }
    expect(error).toMatchObject({ status: 503, code: 'reward_model_error' })
  })

  it.each([
    ['deadlineMs', 0],
    ['deadlineMs', -1],
    ['deadlineMs', Number.NaN],
    ['deadlineMs', Number.POSITIVE_INFINITY],
    ['rewardTimeoutMs', 0],
    ['rewardTimeoutMs', Number.POSITIVE_INFINITY],
    // setTimeout fires at once beyond 2³¹−1 ms, which would turn a long timeout into none.
    ['rewardTimeoutMs', 2 ** 31],
  ] as const)('refuses %s = %s at construction, naming the option', (key, value) => {
    const options = {
      backend: createOpenAICompatibleBackend({ baseURL: 'http://127.0.0.1:9/v1' }),
      rewardModel: createHttpRewardModel({ url: 'http://127.0.0.1:9/score' }),
      [key]: value,
    }
    expect(() => bestOfN(options)).toThrow(InvalidOptionsError)
    expect(() => bestOfN(options)).toThrow(new RegExp(`bestOfN option ${key} must be a positive finite number`))
  })
})
