import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app/create-app.node.js'
import type { BonbonConfigInput } from '../../src/config/config-schema.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { serve, type RunningServer } from '../../src/server/serve.node.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'
import {
  startSimulatedRewardServer,
  type SimulatedRewardServer,
  type SimulatedRewardServerOptions,
} from '../../src/testing/simulated-reward-server.node.js'
import { answerByLength } from './gateway-fixture.js'

/** Where the simulated servers listen, for configurations that name them. */
export interface SimulatedUrls {
  readonly backendURL: string
  readonly rewardURL: string
  readonly storePath: string
}

/** A whole gateway on loopback whose configuration may name its simulated servers (keys, logs). */
export interface GuardedGateway {
  readonly url: string
  readonly backend: SimulatedBackend
  readonly reward: SimulatedRewardServer
  readonly server: RunningServer
  /** POSTs a JSON body (or raw text) to the gateway and reads the answer. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<GatewayAnswer>
  /** Every record in the store, once the log is drained (closes the gateway). */
  closeAndReadRecords(): Promise<PreferenceRecord[]>
  close(): Promise<void>
}

/** One answer of the gateway. */
export interface GatewayAnswer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The error object of an OpenAI error body, when the answer is one. */
  readonly error: Record<string, unknown> | undefined
}

export interface GuardedGatewayOptions {
  backend?: SimulatedBackendOptions
  reward?: Partial<SimulatedRewardServerOptions>
  /** Configuration sections to add or replace, given where the simulated servers listen. */
  config?: (urls: SimulatedUrls) => Partial<BonbonConfigInput>
  /** The clock of the rate limiter, ms. */
  now?: () => number
}

export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'simulated-model',
  messages: [{ role: 'user', content: 'Name a colour.' }],
  ...extra,
})

export async function startGuardedGateway(options: GuardedGatewayOptions = {}): Promise<GuardedGateway> {
  const backend = await startSimulatedBackend({ answer: answerByLength, ...options.backend })
  const reward = await startSimulatedRewardServer({ shape: 'http', ...options.reward })
  const dir = await mkdtemp(join(tmpdir(), 'bonbon-guard-'))
  const storePath = join(dir, 'bonbon.db')
  const config: BonbonConfigInput = {
    upstream: { kind: 'openai', baseURL: backend.url, fanout: 'native' },
    reward: { kind: 'http', url: reward.scoreURL },
    bestOfN: { n: 4, maxN: 8, heartbeatMs: 5_000 },
    log: { kind: 'sqlite', path: storePath, batchSize: 16, flushIntervalMs: 10 },
    ...options.config?.({ backendURL: backend.url, rewardURL: reward.scoreURL, storePath }),
  }
  const server = await serve(await createApp(config, { env: {}, now: options.now }), { port: 0 })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await server.close()
    await Promise.all([backend.close(), reward.close()])
  }
  return {
    url: server.url,
    backend,
    reward,
    server,
    async post(path, body, headers = {}) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, text, error: errorOf(text) }
    },
    async closeAndReadRecords() {
      await close()
      const store = openSqliteStore(storePath)
      try {
        return [...store.readRecords()]
      } finally {
        store.close()
      }
    },
    async close() {
      await close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function errorOf(text: string): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body !== 'object' || body === null || !('error' in body)) return undefined
    const error = body.error
    return typeof error === 'object' && error !== null ? { ...error } : undefined
  } catch {
    return undefined
  }
}
