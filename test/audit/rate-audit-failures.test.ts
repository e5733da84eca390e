import { afterEach, describe, expect, it } from 'vitest'
import type { RateAuditItem } from '../../src/audit/rate-audit-source.js'
import { runRateAudit, type RateAuditOptions } from '../../src/audit/rate-audit.js'
import { BonbonError, UpstreamError } from '../../src/errors.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer, type SimulatedRewardServer, type SimulatedRewardServerOptions } from '../../src/testing/simulated-reward-server.node.js'
import { exclaimAttribute, worldLines, worldLlm, worldScore } from './rate-audit-fixture.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function servers(
  backendOptions: SimulatedBackendOptions = {},
  rewardOptions: Partial<SimulatedRewardServerOptions> = {},
): Promise<{ backend: SimulatedBackend; reward: SimulatedRewardServer }> {
  const backend = await startSimulatedBackend({ answer: worldLlm, ...backendOptions })
  const reward = await startSimulatedRewardServer({ shape: 'http', score: worldScore, ...rewardOptions })
  closers.push(() => backend.close(), () => reward.close())
  return { backend, reward }
}

function items(count: number): RateAuditItem[] {
  return worldLines(count).map((line, index) => ({ id: `line ${index + 1}`, prompt: [{ role: 'user', content: line.prompt }], response: line.response }))
}

function options(backend: SimulatedBackend, reward: SimulatedRewardServer, count: number): RateAuditOptions {
  return {
    items: items(count),
    attribute: { kind: 'length', name: 'length', threshold: 150 },
    rewriter: { baseURL: backend.url, model: 'simulated-model' },
    rewardModel: createHttpRewardModel({ url: reward.scoreURL }),
    sleep: async () => undefined,
    concurrency: 2,
  }
}

describe('RATE audit failures', () => {
  it('drops the item whose rewrite fails for good and audits the others', async () => {
    const { backend, reward } = await servers({ faults: [{ kind: 'http-error', status: 400, body: { error: { message: 'prompt too long' } } }] })
    const result = await runRateAudit(options(backend, reward, 10))
    expect(result.calls).toEqual({ made: 18, cached: 0, failed: 1 })
    expect(result.report.diagnostics.droppedItems.w0 + result.report.diagnostics.droppedItems.w1).toBe(1)
    expect(result.report.n0 + result.report.n1).toBe(9)
    expect(result.items.filter((item) => item.error !== null)).toHaveLength(1)
    expect(result.failures[0]).toMatch(/answered 400: prompt too long/)
  })

  it('retries a rate-limited call and pays for it once', async () => {
    const { backend, reward } = await servers({ faults: [null, { kind: 'http-error', status: 429 }] })
    const result = await runRateAudit(options(backend, reward, 4))
    expect(result.calls).toEqual({ made: 8, cached: 0, failed: 0 })
    expect(backend.requests).toHaveLength(9)
  })

  it('stops at once when the rewriter refuses the key', async () => {
    const { backend, reward } = await servers({ apiKey: 'right-key' })
    await expect(runRateAudit({ ...options(backend, reward, 20), rewriter: { baseURL: backend.url, model: 'm', apiKey: 'wrong-key' } })).rejects.toSatisfy(
      (error: unknown) => UpstreamError.isInstance(error) && error.status === 401,
    )
    expect(backend.requests.length).toBeLessThanOrEqual(2)
  })

  it('stops after a run of failed calls instead of failing every item', async () => {
    const { backend, reward } = await servers({ faults: () => ({ kind: 'http-error', status: 503 }) })
    await expect(runRateAudit({ ...options(backend, reward, 50), maxRetries: 0 })).rejects.toThrow(/failed 8 calls in a row; stopping/)
    expect(backend.requests.length).toBeLessThan(12)
  })

  it('stops when the reward model fails item after item', async () => {
    const { backend, reward } = await servers({}, { fault: { kind: 'status', status: 500 } })
    const run = runRateAudit({ ...options(backend, reward, 50), maxRetries: 0 })
    await expect(run).rejects.toSatisfy((error: unknown) => BonbonError.isInstance(error) && /failed 8 items in a row/.test(error.message))
    expect(reward.requests.length).toBeLessThan(12)
  })

  it('keeps at most `concurrency` rewriter calls in flight', async () => {
    const { backend, reward } = await servers({ tokenLatencyMs: 1 })
    let inFlight = 0
    let most = 0
    // Counts exchanges from request to the end of the body, as the rewriter's server sees them.
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight += 1
      most = Math.max(most, inFlight)
      try {
        const response = await fetch(input, init)
        const body = await response.text()
        return new Response(body, { status: response.status, headers: response.headers })
      } finally {
        inFlight -= 1
      }
    }
    // A custom attribute: each item labels its rewrite while rewriting it again, two calls at once.
    const attribute = { kind: 'custom' as const, ...exclaimAttribute }
    await runRateAudit({ ...options(backend, reward, 20), attribute, concurrency: 3, fetch: countingFetch })
    expect(backend.requests).toHaveLength(100)
    expect(most).toBeLessThanOrEqual(3)
    expect(most).toBeGreaterThan(1)
  })
})
