import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import type { RetryPolicy } from '../../src/generate/retry.js'
import { bestOfN, type BestOfNOptions, type BestOfNVariables } from '../../src/hono/best-of-n-middleware.js'
import { toErrorResponse } from '../../src/protocol/error-response.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import type { RewardModel } from '../../src/score/reward-model.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'
import {
  startSimulatedRewardServer,
  type SimulatedRewardServer,
  type SimulatedRewardServerOptions,
} from '../../src/testing/simulated-reward-server.node.js'

/** The README's Hono app on loopback, in front of a simulated backend and reward server. */
export interface HonoGateway {
  readonly url: string
  readonly client: OpenAI
  readonly backend: SimulatedBackend
  readonly reward: SimulatedRewardServer
  close(): Promise<void>
}

export interface HonoGatewayOptions {
  backend?: SimulatedBackendOptions
  reward?: Partial<SimulatedRewardServerOptions>
  /** Upstream retries. @default none, so each fault is seen as it is */
  retry?: RetryPolicy
  /** Wraps the HTTP reward model (a score cache, say). @default the model as is */
  wrapRewardModel?: (rewardModel: RewardModel) => RewardModel
  /** Options of the middleware besides its backend and reward model. */
  bestOfN?: Partial<BestOfNOptions>
}

export async function startHonoGateway(options: HonoGatewayOptions = {}): Promise<HonoGateway> {
  const backend = await startSimulatedBackend(options.backend)
  const reward = await startSimulatedRewardServer({ shape: 'http', ...options.reward })
  const rewardModel = createHttpRewardModel({ url: reward.scoreURL })
  const app = new Hono<{ Variables: BestOfNVariables }>()
  app.use(
    '/v1/*',
    bestOfN({
      backend: createOpenAICompatibleBackend({
        baseURL: backend.url,
        retry: options.retry ?? { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
      }),
      rewardModel: options.wrapRewardModel?.(rewardModel) ?? rewardModel,
      n: 4,
      ...options.bestOfN,
    }),
  )
  app.onError((error, c) => {
    const { status, body, headers } = toErrorResponse(error)
    return c.json(body, status as 400, headers)
  })
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'test-key', maxRetries: 0 }),
    backend,
    reward,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all([backend.close(), reward.close()])
    },
  }
}
