import { z } from 'zod'

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

