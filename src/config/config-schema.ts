import { z } from 'zod'
import { judgePairwiseRewardSchema, judgeRewardSchema } from '../score/judge-config-schema.js'
import { nForKlBudget } from '../select/theory/kl-bound.js'
import { nForWinRate } from '../select/theory/win-rate.js'
import { auditAttributeSchema, auditSchema } from './audit-schema.js'
import { headers, url } from './common-schema.js'
import { authSchema, limitsSchema } from './guard-schema.js'
import { logSchema } from './log-schema.js'

export { auditAttributeSchema, auditRewriterSchema, auditSchema } from './audit-schema.js'
export { authSchema, limitsSchema } from './guard-schema.js'
export { logConsumerSchema, logSchema } from './log-schema.js'

/** An OpenAI-compatible inference server (vLLM, SGLang, TGI, llama.cpp, Ollama, OpenAI). */
export const openaiUpstreamSchema = z.strictObject({
  kind: z.literal('openai'),
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: url,
  /** Bearer key for the upstream. Env `BONBON_UPSTREAM_API_KEY` overrides it. */
  apiKey: z.string().optional(),
  /** Extra headers sent upstream. */
  headers: headers.optional(),
  /**
   * `native`: one call with `n`; `parallel`: n calls with `n: 1` and seeds seed+i; `auto`: native,
   * falling back to parallel (remembered) when the backend ignores or rejects `n`.
   * @default auto
   */
  fanout: z.enum(['auto', 'native', 'parallel']).default('auto'),
  /** Ask the upstream for an SSE stream (rebuilt into candidates) instead of one JSON body. @default false */
  stream: z.boolean().default(false),
  /**
   * Retries of a call that failed retryably (connection reset, 408, 409, 429 honouring
   * `Retry-After`, 5xx), with jittered exponential back-off, inside `bestOfN.deadlineMs`.
   * @default 2
   */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** Longest wait for a TCP connection to the upstream or the reward model, ms. @default 10000 */
  connectTimeoutMs: z.number().int().min(1).default(10_000),
  /** Longest wait for response headers, ms (undici's own default, 300 s, is far too long). @default 120000 */
  headersTimeoutMs: z.number().int().min(1).default(120_000),
  /** Longest silence between two chunks of a response body, ms. @default 120000 */
  bodyTimeoutMs: z.number().int().min(1).default(120_000),
})

/** Replays a recorded candidate pool (alpaca-bon format): an offline backend and the embedded default. */
export const replayUpstreamSchema = z.strictObject({
  kind: z.literal('replay'),
  /** A JSONL pool, one `{instruction, candidates: [{output, judge_preference}]}` per line. */
  file: z.string().min(1),
})

export const upstreamSchema = z.discriminatedUnion('kind', [openaiUpstreamSchema, replayUpstreamSchema])

const vllmRewardFields = {
  baseURL: url,
  /** The reward model's name as the server knows it. */
  model: z.string().min(1),
  apiKey: z.string().optional(),
  headers: headers.optional(),
  /**
   * The reward model's own chat template (Jinja, from its tokenizer_config.json). When set, all
   * candidates are rendered and scored in one batched `input` call; otherwise one `messages` call
   * per candidate lets the server render them.
   */
  chatTemplate: z.string().optional(),
  /** Special tokens the template refers to (`bos_token`, ...). */
  templateVariables: z.record(z.string(), z.string()).optional(),
}

/** How reward-model failures are handled; shared by every kind of reward model. */
const rewardPolicyFields = {
  /**
   * When scoring fails or times out: `error` answers 503 with a clear message; `first` answers
   * with the first good candidate, marked degraded (`x-bonbon-degraded` header, and in the log).
   * @default error
   */
  onFailure: z.enum(['error', 'first']).default('error'),
  /** Longest one scoring attempt may take, ms. @default 30000 */
  timeoutMs: z.number().int().min(1).default(30_000),
  /** Retries of a scoring call that failed retryably (timeout, connection reset, 429, 5xx). @default 1 */
  maxRetries: z.number().int().min(0).max(10).default(1),
}

export const rewardSchema = z.discriminatedUnion('kind', [
  /** vLLM `POST /pooling` (`--runner pooling`), sent with `use_activation: false`. */
  z.strictObject({ kind: z.literal('vllm-pooling'), ...vllmRewardFields, ...rewardPolicyFields }),
  /** vLLM `POST /classify`, sent with `use_activation: false`. */
  z.strictObject({ kind: z.literal('vllm-classify'), ...vllmRewardFields, ...rewardPolicyFields }),
  /** Text Embeddings Inference `POST /predict` with (prompt, answer) pairs and `raw_scores: true`. */
  z.strictObject({
    kind: z.literal('tei'),
    baseURL: url,
    apiKey: z.string().optional(),
    headers: headers.optional(),
    ...rewardPolicyFields,
  }),
  /** Any scorer speaking `{prompt, candidates}` → `{scores}` over HTTP POST. */
  z.strictObject({
    kind: z.literal('http'),
    url,
    apiKey: z.string().optional(),
    headers: headers.optional(),
    ...rewardPolicyFields,
  }),
  /** Scores answers of a recorded pool with their recorded `judge_preference`. */
  z.strictObject({ kind: z.literal('replay'), file: z.string().min(1), ...rewardPolicyFields }),
  /** An LLM judge grading each candidate 1–10 against a rubric. */
  judgeRewardSchema.extend(rewardPolicyFields),
  /** An LLM judge running a knockout tournament, each match judged in both orders. */
  judgePairwiseRewardSchema.extend(rewardPolicyFields),
])

/**
 * The default fan-out size: a number, or derived from what it buys (best-of-n theory, continuous
 * rewards): `{"klBudget": 1.0}` is the largest n whose KL from the base policy, log n − (n−1)/n,
 * stays within the budget (nats); `{"winRate": 0.9}` the smallest n whose win rate n/(n+1) reaches it.
 */
const fanoutSizeSchema = z
  .union([
    z.number().int().min(1).max(128),
    z.strictObject({ klBudget: z.number().min(0).max(4) }),
    z.strictObject({ winRate: z.number().min(0.5).max(0.99) }),
  ], { error: 'must be an integer 1-128, {"klBudget": <nats, 0-4>} or {"winRate": <0.5-0.99>}' })
  .transform((value) => (typeof value === 'number' ? value : 'klBudget' in value ? nForKlBudget(value.klBudget) : nForWinRate(value.winRate)))

export const bestOfNSchema = z.strictObject({
  /** Default fan-out size when a request does not ask for one: a number, `{"klBudget"}` or `{"winRate"}`. @default 4 */
  n: fanoutSizeSchema.default(4),
  /** The largest fan-out a request may ask for; above it, 400. @default 16 */
  maxN: z.number().int().min(1).max(128).default(16),
  /** Interval of SSE heartbeat comments while a streamed answer is being chosen, ms. @default 5000 */
  heartbeatMs: z.number().int().min(100).default(5_000),
  /**
   * Deadline for drawing a request's candidates, retries included, ms. At the deadline, calls still
   * running are cancelled and the candidates finished by then are scored (within `reward.timeoutMs`)
   * and chosen among.
   * @default 120000
   */
  deadlineMs: z.number().int().min(1).default(120_000),
  /** At the deadline, the fewest finished candidates worth choosing among; fewer answer 504. @default 1 */
  minCandidates: z.number().int().min(1).default(1),
})

export const serverSchema = z.strictObject({
  /** Largest request body accepted, counted in bytes actually read. @default 1048576 */
  bodyLimitBytes: z.number().int().min(1024).default(1_048_576),
})

/** The whole configuration of a bonbon gateway, as JSON. */
export const configSchema = z.strictObject({
  /** Where candidates come from; may be left out when the app is given a `backend` in code. */
  upstream: upstreamSchema.optional(),
  reward: rewardSchema,
  bestOfN: bestOfNSchema.prefault({}),
  log: logSchema.default({
    kind: 'sqlite',
    path: 'bonbon.db',
    batchSize: 64,
    flushIntervalMs: 200,
    durability: 'async',
    maxQueue: 10_000,
  }),
  server: serverSchema.default({ bodyLimitBytes: 1_048_576 }),
  /** Client API keys; optional (the gateway is open without them). */
  auth: authSchema.optional(),
  /** Per-client rate limits and caps; optional. */
  limits: limitsSchema.optional(),
  /** RATE audits of the reward model (`bonbon audit rate`); optional. */
  audit: auditSchema.optional(),
})

/** A configuration as written (defaults optional). */
export type BonbonConfigInput = z.input<typeof configSchema>
/** A configuration with every default filled in. */
export type BonbonConfig = z.output<typeof configSchema>
export type UpstreamConfig = NonNullable<BonbonConfig['upstream']>
export type RewardConfig = BonbonConfig['reward']
/** A `reward` section as written (defaults optional). */
export type RewardConfigInput = z.input<typeof rewardSchema>
export type LogConfig = BonbonConfig['log']
/** The `auth` section. */
export type AuthConfig = z.output<typeof authSchema>
/** The `limits` section. */
export type LimitsConfig = z.output<typeof limitsSchema>
/** Where a log queue's consumer stores records. */
export type LogConsumerConfig = Extract<LogConfig, { kind: 'queue' }>['consumer']
/** The `audit` section with defaults filled in. */
export type AuditConfig = z.output<typeof auditSchema>
/** One custom attribute of the `audit` section. */
export type AuditAttributeConfig = z.output<typeof auditAttributeSchema>
