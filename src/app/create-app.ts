import { Hono } from 'hono'
import { applyEnv, envOverrides } from '../config/apply-env.js'
import type { BonbonConfig, BonbonConfigInput } from '../config/config-schema.js'
import { parseConfig } from '../config/parse-config.js'
import { InvalidOptionsError, MethodNotAllowedError, NotFoundError } from '../errors.js'
import { accessLogMiddleware, type AccessLogEntry } from './access-log.js'
import type { Backend } from '../generate/backend.js'
import { loadCandidatePool } from '../generate/candidate-pool.js'
import { createBackend, type CreateBackendOptions } from '../generate/create-backend.js'
import {
  bestOfN,
  type BestOfNCounters,
  type BestOfNOptions,
  type BestOfNVariables,
} from '../hono/best-of-n-middleware.js'
import { guard, type GuardMiddlewareOptions } from '../hono/guard-middleware.js'
import type { LogSink } from '../log/preference-record.js'
import { toErrorResponse } from '../protocol/error-response.js'
import { createRewardModel } from '../score/create-reward-model.js'
import type { RewardModel } from '../score/reward-model.js'

/** What the runtime provides to the app: I/O the core does not do itself. */
export interface AppRuntime {
  /** HTTP client for upstream and reward calls. @default globalThis.fetch */
  fetch?: typeof fetch
  /** Builds the HTTP client from the resolved configuration (its timeouts); used when `fetch` is absent. */
  createFetch?: (config: BonbonConfig) => typeof fetch
  /** Reads local files (replay pools); absent on the edge. */
  readTextFile?: (path: string) => Promise<string>
  /**
   * The backend to draw candidates from instead of the configuration's `upstream` (for example an AI
   * SDK model through `createAiSdkBackend` from `bonbon/ai-sdk`).
   */
  backend?: Backend
  /** Builds the log sink for the configuration's `log` section; without it nothing is logged. */
  createLogSink?: (config: BonbonConfig) => LogSink | undefined
  /** Environment whose `BONBON_*` variables override URLs and keys. @default {} */
  env?: Readonly<Record<string, string | undefined>>
  /** Told when a record could not be handed to the log. @default console.error */
  onLogError?: (error: unknown) => void
  /** Keeps the runtime alive for a log write after the response (Workers: `executionCtx.waitUntil`). */
  waitUntil?: BestOfNOptions['waitUntil']
  /** Wraps the configured reward model (the edge adds a score cache). @default the model as configured */
  wrapRewardModel?: (rewardModel: RewardModel, config: BonbonConfig) => RewardModel
  /** The client's address, which tells clients apart for rate limits when `auth.keys` is unset. @default none: one shared limit */
  clientAddress?: GuardMiddlewareOptions['clientAddress']
  /** Told of every request when its answer is ready: one line per request for operators. @default none */
  accessLog?: (entry: AccessLogEntry) => void
  /** Milliseconds, for rate limits. @default Date.now */
  now?: () => number
  /** Whether the server bounds a request's body, which is then read in one piece (see `BestOfNOptions.isBodyBounded`). @default none: bodies are streamed */
  isBodyBounded?: BestOfNOptions['isBodyBounded']
}

/** A ready gateway: the Hono app and what it holds open. */
export interface BonbonApp {
  /** The Hono app; mount it, or serve `app.fetch`. */
  readonly app: Hono<{ Variables: BestOfNVariables }>
  /** The resolved configuration. */
  readonly config: BonbonConfig
  /** The log sink in use, if any. */
  readonly log: LogSink | undefined
  /** Drains the log and releases resources. */
  close(): Promise<void>
}

/**
 * Builds the bonbon gateway from a configuration: `GET /healthz`, `GET /v1/models` (passed through),
 * `POST /v1/chat/completions` and `POST /v1/completions` (best of n), OpenAI-shaped errors.
 * @throws InvalidOptionsError naming the bad configuration key.
 */
export async function createApp(configInput: BonbonConfigInput, runtime: AppRuntime = {}): Promise<BonbonApp> {
  const config = parseConfigWithEnv(configInput, runtime.env ?? {})
  const services = { fetch: runtime.fetch ?? runtime.createFetch?.(config), readTextFile: runtime.readTextFile }
  const backend = runtime.backend ?? (await createConfiguredBackend(config, services))
  const configuredRewardModel = await createRewardModel(config.reward, services)
  // A replay pool that cannot be read stops the start, as a replay upstream's does, rather than
  // failing every request (the reward model shares this load, cached by path).
  if (config.reward.kind === 'replay' && services.readTextFile) await loadCandidatePool(config.reward.file, services.readTextFile)
  const rewardModel = runtime.wrapRewardModel?.(configuredRewardModel, config) ?? configuredRewardModel
  const log = runtime.createLogSink?.(config)

  const counters: BestOfNCounters = { requests: 0, answered: 0, degraded: 0, failed: 0 }
  const app = new Hono<{ Variables: BestOfNVariables }>()
  const { accessLog } = runtime
  if (accessLog) app.use('*', accessLogMiddleware(accessLog))
  app.get('/healthz', (c) => c.json({ status: 'ok', counters }))
  const guarded = guard({
    keys: config.auth?.keys,
    limits: config.limits,
    fanout: config.bestOfN,
    redact: config.log.redact,
    allowOptOut: config.log.allowOptOut,
    clientAddress: runtime.clientAddress,
    now: runtime.now,
  })
  app.use('/v1/*', guarded.middleware)
  app.get('/v1/models', async (c) => c.json((await backend.listModels?.(c.req.raw.signal)) ?? { object: 'list', data: [] }))
  app.use(
    '/v1/*',
    bestOfN({
      backend,
      rewardModel,
      log,
      n: config.bestOfN.n,
      maxN: config.bestOfN.maxN,
      heartbeatMs: config.bestOfN.heartbeatMs,
      bodyLimitBytes: config.server.bodyLimitBytes,
      isBodyBounded: runtime.isBodyBounded,
      onLogError: runtime.onLogError,
      waitUntil: runtime.waitUntil,
      referenceLogprobs: config.log.referenceLogprobs ?? false,
      counters,
      admit: guarded.admit,
      deadlineMs: config.bestOfN.deadlineMs,
      minCandidates: config.bestOfN.minCandidates,
      onRewardFailure: config.reward.onFailure,
      rewardTimeoutMs: config.reward.timeoutMs,
      rewardRetry: { maxRetries: config.reward.maxRetries, baseDelayMs: 100, maxDelayMs: 1_000 },
    }),
  )
  app.notFound((c) => {
    const completion = /\/v1\/(chat\/)?completions$/.test(c.req.path)
    const error = completion
      ? new MethodNotAllowedError(`${c.req.path} answers POST only; got ${c.req.method}.`, ['POST'])
      : new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`)
    const { status, body, headers } = toErrorResponse(error)
    return c.json(body, status as 404, headers)
  })
  app.onError((error, c) => {
    const { status, body, headers } = toErrorResponse(error)
    return c.json(body, status as 400, headers)
  })

  return {
    app,
    config,
    log,
    close: async () => {
      await log?.close()
    },
  }
}

function createConfiguredBackend(config: BonbonConfig, services: CreateBackendOptions): Promise<Backend> {
  if (config.upstream === undefined) {
    throw new InvalidOptionsError('Invalid configuration: upstream: required (or pass a backend to createApp).', {
      key: 'upstream',
    })
  }
  return createBackend(config.upstream, services)
}

/** Parses the configuration after the environment's overrides, saying so when an override is at fault. */
function parseConfigWithEnv(input: BonbonConfigInput, env: Readonly<Record<string, string | undefined>>): BonbonConfig {
  try {
    return parseConfig(applyEnv(input, env))
  } catch (error) {
    if (!InvalidOptionsError.isInstance(error) || error.key === undefined) throw error
    const variable = Object.entries(envOverrides).find(
      ([name, path]) => env[name] !== undefined && env[name] !== '' && path.join('.') === error.key,
    )?.[0]
    if (variable === undefined) throw error
    throw new InvalidOptionsError(`${error.message} (the value comes from the environment variable ${variable})`, {
      key: error.key,
    })
  }
}
