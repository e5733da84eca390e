import OpenAI from 'openai'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app/create-app.node.js'
import type { BonbonConfigInput } from '../../src/config/config-schema.js'
import { serve, type RunningServer } from '../../src/server/serve.node.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'
import {
  startSimulatedRewardServer,
  type SimulatedRewardServer,
  type SimulatedRewardServerOptions,
} from '../../src/testing/simulated-reward-server.node.js'

/** A whole gateway on loopback: simulated backend and reward server, bonbon in front, a real store. */
export interface Gateway {
  readonly url: string
  readonly client: OpenAI
  readonly backend: SimulatedBackend
  readonly reward: SimulatedRewardServer
  readonly storePath: string
  server: RunningServer
  /** Stops bonbon (draining the log) and starts it again on the same store. */
  restart(): Promise<void>
  close(): Promise<void>
}

export interface GatewayOptions {
  backend?: SimulatedBackendOptions
  reward?: Partial<SimulatedRewardServerOptions>
  config?: Partial<BonbonConfigInput>
  fanout?: 'auto' | 'native' | 'parallel'
  stream?: boolean
  /** Upstream retries. @default 0, so each fault is seen as it is */
  maxRetries?: number
  /** Options of the SQLite log, besides its path. */
  log?: { referenceLogprobs?: boolean; durability?: 'async' | 'sync' }
  /** How reward failures are handled. @default no retries, onFailure 'error' */
  rewardPolicy?: { onFailure?: 'error' | 'first'; timeoutMs?: number; maxRetries?: number }
}

/** Answers of visibly different lengths, so the default simulated reward (longer is better) has a clear winner. */
export const answerByLength = ({ index, seed }: { index: number; seed: number | undefined }) =>
  `answer ${seed ?? 'x'}.${index} ` + 'é'.repeat(10 + ((index * 7) % 5) * 10)

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const backend = await startSimulatedBackend({ answer: answerByLength, ...options.backend })
  const reward = await startSimulatedRewardServer({ shape: 'http', ...options.reward })
  const dir = await mkdtemp(join(tmpdir(), 'bonbon-gateway-'))
  const storePath = join(dir, 'bonbon.db')
  const config: BonbonConfigInput = {
    upstream: {
      kind: 'openai',
      baseURL: backend.url,
      fanout: options.fanout ?? 'auto',
      stream: options.stream ?? false,
      maxRetries: options.maxRetries ?? 0,
    },
    reward: { kind: 'http', url: reward.scoreURL, maxRetries: 0, ...options.rewardPolicy },
    bestOfN: { n: 4, maxN: 8, heartbeatMs: 5_000 },
    log: { kind: 'sqlite', path: storePath, batchSize: 16, flushIntervalMs: 10, ...options.log },
    ...options.config,
  }
  const start = async () => serve(await createApp(config, { env: {} }), { port: 0 })
  const gateway: Gateway = {
    url: '',
    client: undefined as unknown as OpenAI,
    backend,
    reward,
    storePath,
    server: await start(),
    async restart() {
      await gateway.server.close()
      gateway.server = await start()
      Object.assign(gateway, clientFor(gateway.server))
    },
    async close() {
      await gateway.server.close()
      await Promise.all([backend.close(), reward.close()])
      await rm(dir, { recursive: true, force: true })
    },
  }
  return Object.assign(gateway, clientFor(gateway.server))
}

function clientFor(server: RunningServer) {
  return {
    url: server.url,
    client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key', maxRetries: 0 }),
  }
}
