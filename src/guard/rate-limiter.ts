import { LRUCache } from 'lru-cache'
import { InvalidOptionsError } from '../errors.js'

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests each client may make per minute, refilled continuously. */
  requestsPerMinute: number
  /** Requests a client may make at once after a quiet spell (the bucket's size). @default requestsPerMinute */
  burst?: number
  /** Clients remembered at once; the least recently seen is forgotten first. @default 10000 */
  maxClients?: number
  /** Milliseconds, from any origin. @default Date.now */
  now?: () => number
}

/** The verdict on one request. */
export type RateLimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number }

/** A token bucket per client. */
export interface RateLimiter {
  /** Takes one token from `client`'s bucket, or says how many whole seconds until one is there. */
  take(client: string): RateLimitDecision
}

interface Bucket {
  tokens: number
  updatedAt: number
}

/**
 * Token buckets per client, held in an LRU cache bounded in entries, so a flood of distinct clients
 * costs bounded memory. A client forgotten by the cache comes back with a full bucket: the bound
 * trades a little leniency toward rarely seen clients for memory that cannot grow.
 * @throws InvalidOptionsError for a rate, burst or size that is not a positive integer.
 * @example
 * const limiter = createRateLimiter({ requestsPerMinute: 60, burst: 10 })
 * const decision = limiter.take('key:0')
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { requestsPerMinute } = options
  const burst = options.burst ?? requestsPerMinute
  const maxClients = options.maxClients ?? 10_000
  const now = options.now ?? Date.now
  for (const [key, value] of [
    ['requestsPerMinute', requestsPerMinute],
    ['burst', burst],
    ['maxClients', maxClients],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidOptionsError(`limits.${key} must be a positive integer; got ${value}.`, { key: `limits.${key}` })
    }
  }
  const tokensPerMs = requestsPerMinute / 60_000
  const buckets = new LRUCache<string, Bucket>({ max: maxClients })

  return {
    take(client) {
      const at = now()
      const bucket = buckets.get(client) ?? { tokens: burst, updatedAt: at }
      // A clock that steps back must not drain the bucket.
      const elapsed = Math.max(0, at - bucket.updatedAt)
      const tokens = Math.min(burst, bucket.tokens + elapsed * tokensPerMs)
      if (tokens >= 1) {
        buckets.set(client, { tokens: tokens - 1, updatedAt: at })
        return { allowed: true }
      }
      buckets.set(client, { tokens, updatedAt: at })
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / tokensPerMs / 1000)) }
    },
  }
}
