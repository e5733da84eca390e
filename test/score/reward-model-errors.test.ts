import { describe, expect, it } from 'vitest'
import { RewardModelError } from '../../src/errors.js'
import type { ChatMessage } from '../../src/protocol/chat-message.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { createVllmRewardModel } from '../../src/score/vllm-reward-model.js'
import { startSimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { useRewardServers } from './reward-server-fixture.js'

const prompt: ChatMessage[] = [{ role: 'user', content: 'Hi' }]
const apiKey = 'sk-do-not-leak-0123456789'

const start = useRewardServers()

async function failure(promise: Promise<unknown>): Promise<RewardModelError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!RewardModelError.isInstance(error)) throw new Error(`expected a RewardModelError, got ${String(error)}`)
  return error
}

describe('reward model errors', () => {
  it.each([
    ['OpenAI nested', { error: { message: 'Rate limit reached', type: 'rate_limit', param: null, code: 'rate_limit' } }, 429, 'Rate limit reached'],
    ['vLLM flat (< 0.10.1)', { object: 'error', message: 'max_model_len exceeded', type: 'BadRequestError', param: null, code: 400 }, 400, 'max_model_len exceeded'],
    ['TEI', { error: 'Model is overloaded', error_type: 'overloaded' }, 429, 'Model is overloaded (overloaded)'],
    ['FastAPI', { detail: 'Not Found' }, 404, 'Not Found'],
  ])('reads the %s error envelope into the message', async (_name, body, status, message) => {
    const server = await start({ shape: 'http', fault: { kind: 'status', status, body } })
    const model = createHttpRewardModel({ url: server.scoreURL })

    const error = await failure(model.score({ prompt, candidates: ['a'] }))

    expect(error.message).toBe(`Reward model at ${server.scoreURL} answered HTTP ${status}: ${message}`)
    expect(error).toMatchObject({ code: 'reward_model_error', status, url: server.scoreURL, responseBody: JSON.stringify(body) })
    expect(error.isRetryable).toBe(status === 429)
  })

  it('throws a retryable RewardModelError when nothing listens', async () => {
    const server = await startSimulatedRewardServer({ shape: 'http' })
    await server.close()
    const model = createHttpRewardModel({ url: server.scoreURL })

    const error = await failure(model.score({ prompt, candidates: ['a'] }))

    expect(error.message).toMatch(/failed: .*ECONNREFUSED/)
    expect(error).toMatchObject({ url: server.scoreURL, status: undefined, isRetryable: true })
  })

  it('throws when the server drops the connection', async () => {
    const server = await start({ shape: 'vllm-pooling', fault: { kind: 'drop' } })
    const model = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm', chatTemplate: '{{ messages[0].content }}' })

    const error = await failure(model.score({ prompt, candidates: ['a'] }))

    expect(error.message).toMatch(/Reward model request to .*\/pooling failed/)
    expect(error.isRetryable).toBe(true)
  })

  it('throws on a 2xx answer that is not JSON, keeping the body', async () => {
    const server = await start({ shape: 'http', fault: { kind: 'status', status: 200, body: '<html>proxy login</html>' } })
    const model = createHttpRewardModel({ url: server.scoreURL })

    const error = await failure(model.score({ prompt, candidates: ['a'] }))

    expect(error.message).toMatch(/a body that is not JSON/)
    expect(error).toMatchObject({ status: 200, responseBody: '<html>proxy login</html>', isRetryable: false })
  })

  it('never puts the API key in the error, even when the server echoes it', async () => {
    const body = { error: { message: `Invalid key ${apiKey}` } }
    const server = await start({ shape: 'http', fault: { kind: 'status', status: 401, body } })
    const model = createHttpRewardModel({ url: server.scoreURL, apiKey })

    const error = await failure(model.score({ prompt, candidates: ['a'] }))

    expect(server.requests[0]?.headers['authorization']).toBe(`Bearer ${apiKey}`)
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(apiKey)
    expect(error.message).toContain('Invalid key [redacted]')
  })

  it("waits for a slow server within the caller's deadline and rejects with the deadline's reason beyond it", async () => {
    // Reward models keep no timer of their own: the deadline is the caller's signal (runBestOfN's
    // rewardTimeoutMs). The margins are wide both ways, so that no scheduling delay decides the test.
    const server = await start({
      shape: 'http',
      score: () => 1.5,
      fault: (_request, index) => ({ kind: 'delay', ms: index === 0 ? 20 : 60_000 }),
    })
    const model = createHttpRewardModel({ url: server.scoreURL })

    const slow = await model.score({ prompt, candidates: ['a'], signal: AbortSignal.timeout(10_000) })
    const tooSlow = model.score({ prompt, candidates: ['a'], signal: AbortSignal.timeout(50) })

    expect(slow).toEqual([{ reward: 1.5 }])
    await expect(tooSlow).rejects.toMatchObject({ name: 'TimeoutError' })
  })

  it('rejects with the abort reason, not a RewardModelError, when the signal aborts', async () => {
    const controller = new AbortController()
    const reason = new Error('client went away')
    const server = await start({
      shape: 'vllm-classify',
      fault: () => {
        controller.abort(reason)
        return { kind: 'hang' }
      },
    })
    const model = createVllmRewardModel({ endpoint: 'classify', baseURL: server.url, model: 'rm' })

    await expect(model.score({ prompt, candidates: ['a', 'b'], signal: controller.signal })).rejects.toBe(reason)
  })
})
