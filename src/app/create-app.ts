import { Hono } from 'hono'
import { applyEnv } from '../config/apply-env.js'
import type { BonbonConfig, BonbonConfigInput } from '../config/config-schema.js'
import { parseConfig } from '../config/parse-config.js'
import { NotFoundError } from '../errors.js'
import { createBackend } from '../generate/create-backend.js'
import { bestOfN, type BestOfNVariables } from '../hono/best-of-n-middleware.js'
import type { LogSink } from '../log/preference-record.js'
import { toErrorResponse } from '../protocol/error-response.js'
import { createRewardModel } from '../score/create-reward-model.js'

/** What the runtime provides to the app: I/O the core does not do itself. */
export interface AppRuntime {
  /** HTTP client for upstream and reward calls. @default globalThis.fetch */
  fetch?: typeof fetch
  /** Reads local files (replay pools); absent on the edge. */
  readTextFile?: (path: string) => Promise<string>
  /** Builds the log sink for the configuration's `log` section; without it nothing is logged. */
  createLogSink?: (config: BonbonConfig) => LogSink | undefined
  /** Environment whose `BONBON_*` variables override URLs and keys. @default {} */
  env?: Readonly<Record<string, string | undefined>>
  /** Told when a record could not be handed to the log. @default console.error */
  onLogError?: (error: unknown) => void
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
  const config = parseConfig(applyEnv(configInput, runtime.env ?? {}))
  const services = { fetch: runtime.fetch, readTextFile: runtime.readTextFile }
  const backend = await createBackend(config.upstream, services)
  const rewardModel = await createRewardModel(config.reward, services)
  const log = runtime.createLogSink?.(config)

  const app = new Hono<{ Variables: BestOfNVariables }>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
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
      onLogError: runtime.onLogError,
    }),
  )
  app.notFound((c) => {
    const { status, body } = toErrorResponse(new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`))
    return c.json(body, status as 404)
  })
  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error)
    return c.json(body, status as 400)
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
