import { AsyncLocalStorage } from 'node:async_hooks'
import type { ExecutionContext } from 'hono'
import { createApp, type BonbonApp } from '../app/create-app.js'
import type { BonbonConfig } from '../config/config-schema.js'
import { InvalidOptionsError } from '../errors.js'
import type { LogSink } from '../log/preference-record.js'
import { withScoreCache } from '../score/with-score-cache.js'
import { isD1Database, isR2Bucket, type WorkerEnv } from './cloudflare-bindings.js'
import type { RecordBatchTarget } from './consume-record-batch.js'
import { createD1Sink, type D1Sink } from './d1-sink.js'
import { readEdgeConfig, readEdgeConfigInput, stringVars } from './edge-config.js'
import { readEdgeSettings, type EdgeSettings } from './edge-settings.js'
import { createSubrequestScope, limitSubrequests, type SubrequestScope } from './limit-subrequests.js'
import { createQueueSink } from './queue-sink.js'

/** Options of {@link createEdgeApp}. */
export interface EdgeAppOptions {
  /** The HTTP client, wrapped in the per-request limits. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch
  /** Told when a record could not be logged, and about limits the configuration may exceed. @default console */
  readonly logger?: Pick<Console, 'error' | 'warn'>
}

/** The gateway of one isolate, with what the Worker's handlers need around it. */
export interface EdgeApp {
  /** The app `createApp` built. */
  readonly gateway: BonbonApp
  /** The limits read from the Worker's vars. */
  readonly settings: EdgeSettings
  /** Where the `queue()` handler stores records, when `log.kind` is `"queue"`. */
  readonly consumer: RecordBatchTarget | undefined
  /** Serves one request, its outgoing calls under the per-request limits. */
  handle(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response>
  /**
   * Resolves once the gateway can log: for a D1 log, once the schema is found (checked once per
   * isolate, rechecked until found).
   */
  ready(): Promise<void>
}

/**
 * Builds the gateway from a Worker's environment: the configuration from `BONBON_CONFIG`, secrets
 * from `BONBON_*`, outgoing calls under the per-request connection and subrequest limits, rewards
 * behind an isolate-wide LRU cache, records to D1 or a Queue.
 * @throws InvalidOptionsError for a missing or invalid configuration, an unsupported kind, or a
 * binding that is missing or of the wrong type.
 */
export async function createEdgeApp(env: WorkerEnv, options: EdgeAppOptions = {}): Promise<EdgeApp> {
  const logger = options.logger ?? console
  const config = readEdgeConfig(env)
  const settings = readEdgeSettings(env)
  // The scope of the request being served follows its async work, however the core combines abort
  // signals, so the limits are per request even when one isolate serves many at once.
  const scopes = new AsyncLocalStorage<SubrequestScope>()
  const fetch = limitSubrequests(options.fetch ?? ((input, init) => globalThis.fetch(input, init)), {
    ...settings,
    currentScope: () => scopes.getStore(),
  })
  warnAboutSubrequests(config, settings, logger)

  let d1Sink: D1Sink | undefined
  const createLogSink = (resolved: BonbonConfig): LogSink | undefined => {
    const log = resolved.log
    if (log.kind === 'd1') return (d1Sink = createD1Sink({ database: binding(env, log.binding, 'D1'), binding: log.binding }))
    if (log.kind === 'queue') return createQueueSink({ queue: binding(env, log.binding, 'Queue'), binding: log.binding })
    return undefined
  }
  // The same input and environment as checked above: createApp applies BONBON_* and validates again.
  const gateway = await createApp(readEdgeConfigInput(env), {
    fetch,
    env: stringVars(env),
    createLogSink,
    onLogError: (error) => logger.error('bonbon: could not log a record:', error),
    waitUntil: (c, promise) => c.executionCtx.waitUntil(promise),
    // Set by Cloudflare's edge; rate limits (`limits`) are per isolate, so only a rough guard here.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    wrapRewardModel: (rewardModel) =>
      settings.scoreCacheEntries === 0
        ? rewardModel
        : withScoreCache(rewardModel, { maxEntries: settings.scoreCacheEntries, maxBytes: settings.scoreCacheBytes }),
  })
  const sink = d1Sink
  return {
    gateway,
    settings,
    consumer: config.log.kind === 'queue' ? consumerTarget(env, config.log.consumer) : undefined,
    handle: (request, requestEnv, ctx) =>
      scopes.run(createSubrequestScope(settings.maxConnections), async () => gateway.app.fetch(request, requestEnv, ctx)),
    ready: sink === undefined ? async () => {} : () => sink.ready(),
  }
}

function binding<T>(env: WorkerEnv, name: string, kind: 'D1' | 'Queue'): T {
  const value = env[name]
  if (value === undefined) {
    const table = kind === 'D1' ? '[[d1_databases]]' : '[[queues.producers]]'
    throw new InvalidOptionsError(`The ${kind} binding ${name} is missing: declare it under ${table} in wrangler.toml.`, {
      key: 'log.binding',
    })
  }
  // Checked by the sink, which says what the binding should have been.
  return value as T
}

function consumerTarget(
  env: WorkerEnv,
  consumer: Extract<BonbonConfig['log'], { kind: 'queue' }>['consumer'],
): RecordBatchTarget {
  const value = env[consumer.binding]
  if (consumer.target === 'd1') {
    if (!isD1Database(value)) {
      throw new InvalidOptionsError(
        `log.consumer.binding ${consumer.binding} is not a D1 database: declare it under [[d1_databases]] in wrangler.toml.`,
        { key: 'log.consumer.binding' },
      )
    }
    return { target: 'd1', database: value, binding: consumer.binding }
  }
  if (!isR2Bucket(value)) {
    throw new InvalidOptionsError(
      `log.consumer.binding ${consumer.binding} is not an R2 bucket: declare it under [[r2_buckets]] in wrangler.toml.`,
      { key: 'log.consumer.binding' },
    )
  }
  return { target: 'r2', bucket: value, binding: consumer.binding, prefix: consumer.prefix }
}

/** Says at startup when the largest allowed request could run into the subrequest cap. */
function warnAboutSubrequests(config: BonbonConfig, settings: EdgeSettings, logger: Pick<Console, 'warn'>): void {
  const { maxN } = config.bestOfN
  const upstream = config.upstream?.kind === 'openai' && config.upstream.fanout === 'native' ? 1 : maxN + 1
  const reward =
    (config.reward.kind === 'vllm-pooling' || config.reward.kind === 'vllm-classify') && !config.reward.chatTemplate
      ? maxN
      : 1
  if (upstream + reward > settings.maxSubrequests) {
    logger.warn(
      `bonbon: a request with n = ${maxN} may need ${upstream + reward} subrequests, over BONBON_MAX_SUBREQUESTS ` +
        `(${settings.maxSubrequests}); lower bestOfN.maxN, use fanout "native", or raise the cap on a paid plan.`,
    )
  }
}
