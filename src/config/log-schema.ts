import { z } from 'zod'

/** Where the queue consumer of `log.kind: "queue"` stores records. */
export const logConsumerSchema = z.discriminatedUnion('target', [
  /** The same tables as the D1 sink, one transaction per record. */
  z.strictObject({
    target: z.literal('d1'),
    /** Name of the D1 binding in wrangler.toml. @default DB */
    binding: z.string().min(1).default('DB'),
  }),
  /** One JSONL object per batch (one PreferenceRecord per line), readable by `bonbon export --store`. */
  z.strictObject({
    target: z.literal('r2'),
    /** Name of the R2 bucket binding in wrangler.toml. @default LOG_BUCKET */
    binding: z.string().min(1).default('LOG_BUCKET'),
    /** Key prefix of the objects; keys continue with `YYYY/MM/DD/<time>-<id>.jsonl`. @default bonbon/records/ */
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
    /** Database file; relative paths are resolved against the config file's folder. @default bonbon.db */
    path: z.string().min(1).default('bonbon.db'),
    /** Records per transaction. @default 64 */
    batchSize: z.number().int().min(1).default(64),
    /** Longest a record waits in the queue before a batch is written, ms. @default 200 */
    flushIntervalMs: z.number().int().min(1).default(200),
    /**
     * `async`: records are committed in the background, so a crash loses at most the records queued
     * and not yet committed (at most `maxQueue`; in practice about `flushIntervalMs` of traffic).
     * `sync`: an answer leaves only once its record is committed to disk (concurrent requests share
     * a transaction).
     * @default async
     */
    durability: z.enum(['async', 'sync']).default('async'),
    /**
     * Most records queued in memory; beyond it, records go straight to the spill file. At least `batchSize`.
     * @default 10000
     */
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
    /** Name of the D1 binding in wrangler.toml. @default DB */
    binding: z.string().min(1).default('DB'),
    ...logPrivacyFields,
  }),
  /** A Cloudflare Queue (Workers only) whose consumer, in the same Worker, stores the records in batches. */
  z.strictObject({
    kind: z.literal('queue'),
    /** Name of the queue producer binding in wrangler.toml. @default LOG_QUEUE */
    binding: z.string().min(1).default('LOG_QUEUE'),
    /** Where the consumer stores each batch. */
    consumer: logConsumerSchema.default({ target: 'd1', binding: 'DB' }),
    ...logPrivacyFields,
  }),
])

