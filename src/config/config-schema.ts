import { z } from 'zod'

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
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

export const rewardSchema = z.discriminatedUnion('kind', [
  /** vLLM `POST /pooling` (`--runner pooling`), sent with `use_activation: false`. */
  z.strictObject({ kind: z.literal('vllm-pooling'), ...vllmRewardFields }),
  /** vLLM `POST /classify`, sent with `use_activation: false`. */
  z.strictObject({ kind: z.literal('vllm-classify'), ...vllmRewardFields }),
  /** Text Embeddings Inference `POST /predict` with (prompt, answer) pairs and `raw_scores: true`. */
  z.strictObject({
    kind: z.literal('tei'),
    baseURL: url,
    apiKey: z.string().optional(),
    headers: headers.optional(),
  }),
  /** Any scorer speaking `{prompt, candidates}` → `{scores}` over HTTP POST. */
  z.strictObject({
    kind: z.literal('http'),
    url,
    apiKey: z.string().optional(),
    headers: headers.optional(),
  }),
  /** Scores answers of a recorded pool with their recorded `judge_preference`. */
  z.strictObject({ kind: z.literal('replay'), file: z.string().min(1) }),
])

export const bestOfNSchema = z.strictObject({
  /** Default fan-out size when a request does not ask for one. */
  n: z.number().int().min(1).max(128).default(4),
  /** The largest fan-out a request may ask for; above it, 400. */
  maxN: z.number().int().min(1).max(128).default(16),
  /** Interval of SSE heartbeat comments while a streamed answer is being chosen, ms. */
  heartbeatMs: z.number().int().min(100).default(5_000),
})

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
  }),
  /** Keep nothing. */
  z.strictObject({ kind: z.literal('none') }),
])

export const serverSchema = z.strictObject({
  /** Largest request body accepted, counted in bytes actually read. */
  bodyLimitBytes: z.number().int().min(1024).default(1_048_576),
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
  upstream: upstreamSchema,
  reward: rewardSchema,
  bestOfN: bestOfNSchema.default({ n: 4, maxN: 16, heartbeatMs: 5_000 }),
  log: logSchema.default({ kind: 'sqlite', path: 'bonbon.db', batchSize: 64, flushIntervalMs: 200 }),
  server: serverSchema.default({ bodyLimitBytes: 1_048_576 }),
  /** RATE audits of the reward model (`bonbon audit rate`); optional. */
  audit: auditSchema.optional(),
})

/** A configuration as written (defaults optional). */
export type BonbonConfigInput = z.input<typeof configSchema>
/** A configuration with every default filled in. */
export type BonbonConfig = z.output<typeof configSchema>
export type UpstreamConfig = BonbonConfig['upstream']
export type RewardConfig = BonbonConfig['reward']
export type LogConfig = BonbonConfig['log']
/** The `audit` section with defaults filled in. */
export type AuditConfig = z.output<typeof auditSchema>
/** One custom attribute of the `audit` section. */
export type AuditAttributeConfig = z.output<typeof auditAttributeSchema>
