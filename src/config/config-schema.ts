import { z } from 'zod'
import { judgePairwiseRewardSchema, judgeRewardSchema } from '../score/judge-config-schema.js'
import { nForKlBudget } from '../select/theory/kl-bound.js'
import { nForWinRate } from '../select/theory/win-rate.js'

/**
 * An http(s) URL without credentials: a password in a URL would be printed in the start-up banner
 * and repeated in every error about the server; keys belong in `apiKey` or the environment.
 */
const url = z
  .url({
    protocol: /^https?$/,
    error: (issue) => (issue.input === undefined ? 'required' : 'must be an http(s) URL'),
  })
  .refine((value) => {
    // URL.canParse: zod runs refinements even after the URL check failed.
    if (!URL.canParse(value)) return true
    const parsed = new URL(value)
    return parsed.username === '' && parsed.password === ''
  }, 'must not contain credentials; put the key in apiKey or a BONBON_* environment variable')
const headers = z.record(z.string(), z.string())

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
   */
  fanout: z.enum(['auto', 'native', 'parallel']).default('auto'),
  /** Ask the upstream for an SSE stream (rebuilt into candidates) instead of one JSON body. */
  stream: z.boolean().default(false),
  /**
   * Retries of a call that failed retryably (connection reset, 408, 409, 429 honouring
   * `Retry-After`, 5xx), with jittered exponential back-off, inside `bestOfN.deadlineMs`.
   */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** Longest wait for a TCP connection to the upstream or the reward model, ms. */
  connectTimeoutMs: z.number().int().min(1).default(10_000),
  /** Longest wait for response headers, ms (undici's own default, 300 s, is far too long). */
  headersTimeoutMs: z.number().int().min(1).default(120_000),
  /** Longest silence between two chunks of a response body, ms. */
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
   */
  onFailure: z.enum(['error', 'first']).default('error'),
  /** Longest one scoring attempt may take, ms. */
  timeoutMs: z.number().int().min(1).default(30_000),
  /** Retries of a scoring call that failed retryably (timeout, connection reset, 429, 5xx). */
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
  ])
  .transform((value) => (typeof value === 'number' ? value : 'klBudget' in value ? nForKlBudget(value.klBudget) : nForWinRate(value.winRate)))

export const bestOfNSchema = z.strictObject({
  /** Default fan-out size when a request does not ask for one: a number, `{"klBudget"}` or `{"winRate"}`. */
  n: fanoutSizeSchema.default(4),
  /** The largest fan-out a request may ask for; above it, 400. */
  maxN: z.number().int().min(1).max(128).default(16),
  /** Interval of SSE heartbeat comments while a streamed answer is being chosen, ms. */
  heartbeatMs: z.number().int().min(100).default(5_000),
  /**
   * Deadline for drawing a request's candidates, retries included, ms. At the deadline, calls still
   * running are cancelled and the candidates finished by then are scored (within `reward.timeoutMs`)
   * and chosen among.
   */
  deadlineMs: z.number().int().min(1).default(120_000),
  /** At the deadline, the fewest finished candidates worth choosing among; fewer answer 504. */
  minCandidates: z.number().int().min(1).default(1),
})

/** Where the queue consumer of `log.kind: "queue"` stores records. */
export const logConsumerSchema = z.discriminatedUnion('target', [
  /** The same tables as the D1 sink, one transaction per record. */
  z.strictObject({
    target: z.literal('d1'),
    /** Name of the D1 binding in wrangler.toml. */
    binding: z.string().min(1).default('DB'),
  }),
  /** One JSONL object per batch (one PreferenceRecord per line), readable by `bonbon export --source`. */
  z.strictObject({
    target: z.literal('r2'),
    /** Name of the R2 bucket binding in wrangler.toml. */
    binding: z.string().min(1).default('LOG_BUCKET'),
    /** Key prefix of the objects; keys continue with `YYYY/MM/DD/<time>-<id>.jsonl`. */
    prefix: z.string().default('bonbon/records/'),
  }),
])

/** What every kind of log keeps of a request, and whether a client may ask to be left out. */
const logPrivacyFields = {
  /**
   * Ask the upstream for the log-probabilities of the sampled tokens at generation time, so each
   * candidate's sum (the reference policy's log-probability, which BoNBoN's objective needs) is kept.
   * Clients that did not ask for logprobs do not get them in their answer.
   * @default false
   */
  referenceLogprobs: z.boolean().optional(),
  /**
   * Mask e-mail addresses, phone numbers, card numbers (Luhn-checked) and API-key-like strings in the
   * prompts, parameters and answers of each stored record; the client's answer is never changed.
   * @default false
   */
  redact: z.boolean().optional(),
  /**
   * Honour a client's `x-bonbon-log: off` header by storing no record of that request. When false,
   * the header is ignored and the request is logged like any other.
   * @default true
   */
  allowOptOut: z.boolean().optional(),
}

export const logSchema = z.discriminatedUnion('kind', [
  /** The embedded SQLite store (`node:sqlite`, WAL). */
  z.strictObject({
    kind: z.literal('sqlite'),
    /** Database file; relative paths are resolved against the config file's folder. */
    path: z.string().min(1).default('bonbon.db'),
    /** Records per transaction. */
    batchSize: z.number().int().min(1).default(64),
    /** Longest a record waits in the queue before a batch is written, ms. */
    flushIntervalMs: z.number().int().min(1).default(200),
    /**
     * `async`: records are committed in the background, so a crash loses at most the records queued
     * and not yet committed (at most `maxQueue`; in practice about `flushIntervalMs` of traffic).
     * `sync`: an answer leaves only once its record is committed to disk (concurrent requests share
     * a transaction).
     */
    durability: z.enum(['async', 'sync']).default('async'),
    /** Most records queued in memory; beyond it, records go straight to the spill file. At least `batchSize`. */
    maxQueue: z.number().int().min(1).default(10_000),
    /**
     * Append-only JSONL file that takes records while the store fails (and beyond `maxQueue`); they are
     * replayed into the store when it recovers and at start-up. Relative paths are resolved like `path`.
     * Default: `<path>.spill.jsonl`.
     */
    spillPath: z.string().min(1).optional(),
    ...logPrivacyFields,
  }),
  /** Keep nothing. */
  z.strictObject({ kind: z.literal('none'), ...logPrivacyFields }),
  /** Cloudflare D1 (Workers only), written after each response; the schema comes from migrations/. */
  z.strictObject({
    kind: z.literal('d1'),
    /** Name of the D1 binding in wrangler.toml. */
    binding: z.string().min(1).default('DB'),
    ...logPrivacyFields,
  }),
  /** A Cloudflare Queue (Workers only) whose consumer, in the same Worker, stores the records in batches. */
  z.strictObject({
    kind: z.literal('queue'),
    /** Name of the queue producer binding in wrangler.toml. */
    binding: z.string().min(1).default('LOG_QUEUE'),
    /** Where the consumer stores each batch. */
    consumer: logConsumerSchema.default({ target: 'd1', binding: 'DB' }),
    ...logPrivacyFields,
  }),
])

export const serverSchema = z.strictObject({
  /** Largest request body accepted, counted in bytes actually read. */
  bodyLimitBytes: z.number().int().min(1024).default(1_048_576),
})

/** Client authentication. Without keys the gateway is open to anyone who can reach it. */
export const authSchema = z.strictObject({
  /**
   * API keys clients must send as `Authorization: Bearer <key>` (compared in constant time); a
   * missing or unknown key gets a 401. At least 16 characters without spaces each
   * (`openssl rand -hex 24` makes one). Env `BONBON_AUTH_KEYS` (comma-separated) replaces the list.
   * @default none: no key is asked for
   */
  keys: z
    .array(z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain spaces'))
    .optional(),
})

/**
 * Limits per client, so that one client cannot exhaust the inference backend. A client is its API
 * key when `auth.keys` is set, else its IP address. Every limit is off unless set.
 */
export const limitsSchema = z.strictObject({
  /** Requests a client may make per minute (a token bucket refilled continuously); above it, 429 with `Retry-After`. */
  requestsPerMinute: z.number().int().min(1).optional(),
  /** Requests a client may make at once after a quiet spell (the bucket's size). @default requestsPerMinute */
  burst: z.number().int().min(1).optional(),
  /** Largest fan-out a client may ask for; above it, 400. At least `bestOfN.n`. @default bestOfN.maxN */
  maxN: z.number().int().min(1).max(128).optional(),
  /**
   * Largest `max_tokens` / `max_completion_tokens` a client may ask for; above it, 400. A request
   * that sets neither is sent upstream with `max_tokens` set to this value.
   */
  maxTokens: z.number().int().min(1).optional(),
  /**
   * Candidate generations a client may have in flight at once, over all its requests; a request
   * that would exceed it gets 429 with `Retry-After: 1`. At least the largest fan-out allowed.
   */
  maxConcurrentFanout: z.number().int().min(1).optional(),
  /** Clients whose request rate is remembered (least recently seen forgotten first). @default 10000 */
  maxClients: z.number().int().min(1).optional(),
})

/** An attribute W a RATE audit can measure, described in words for an LLM labeller and rewriter. */
export const auditAttributeSchema = z.strictObject({
  /** The name `bonbon audit rate --attribute` selects it by (letters, digits, `-`, `_`). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w-]*$/, 'must start with a letter or digit and hold only letters, digits, - and _'),
  /** What the attribute is, in one sentence ("how formal the answer's tone is"). */
  description: z.string().min(1),
  /** What an answer with W = 1 looks like ("formal: no contractions, no slang"). */
  positive: z.string().min(1),
  /** What an answer with W = 0 looks like ("casual: contractions, conversational tone"). */
  negative: z.string().min(1),
})

/** The OpenAI-compatible chat server that rewrites and classifies answers in a RATE audit. */
export const auditRewriterSchema = z.strictObject({
  /** Base URL including `/v1`, e.g. `https://api.openai.com/v1`. */
  baseURL: url,
  /** The chat model that rewrites and labels answers. */
  model: z.string().min(1),
  /** Bearer key for the server. */
  apiKey: z.string().optional(),
})

/** `bonbon audit rate`: how answers are rewritten and labelled. */
export const auditSchema = z.strictObject({
  /**
   * The rewriter and classifier. When absent, the gateway's `openai` upstream is called directly
   * (bypassing best-of-n), with the model given by `--model` or, else, the first audited record's.
   */
  rewriter: auditRewriterSchema.optional(),
  /** Custom attributes, besides the built-in `length`. */
  attributes: z.array(auditAttributeSchema).optional(),
  /** Rewriter and classifier calls in flight at once. */
  concurrency: z.number().int().min(1).max(256).default(4),
  /** Retries of a rewriter, classifier or reward-model call that failed with 408, 409, 429, 5xx or a network error. */
  maxRetries: z.number().int().min(0).max(10).default(2),
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
