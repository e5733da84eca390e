import { InvalidOptionsError, InvalidRequestError, RateLimitError } from '../errors.js'
import type { PreferenceRecord } from '../log/preference-record.js'
import type { BestOfNRequest } from '../protocol/best-of-n-request.js'
import { createApiKeyVerifier } from './api-key-verifier.js'
import { createFanoutLimiter } from './fanout-limiter.js'
import { createRateLimiter } from './rate-limiter.js'
import { redactRecord } from './redact-record.js'
import { applyRequestCaps } from './request-caps.js'

/** Per-client limits; each is off unless set. A client is its API key, else its address. */
export interface GuardLimits {
  /** Requests per minute (a token bucket refilled continuously); above it, 429 with `Retry-After`. */
  readonly requestsPerMinute?: number | undefined
  /** Requests a client may make at once after a quiet spell. @default requestsPerMinute */
  readonly burst?: number | undefined
  /** Largest fan-out; above it, 400. Must be at least the gateway's default n. */
  readonly maxN?: number | undefined
  /** Largest `max_tokens` / `max_completion_tokens`; above it, 400; set when a request has neither. */
  readonly maxTokens?: number | undefined
  /** Candidate generations in flight per client; above it, 429 with `Retry-After: 1`. */
  readonly maxConcurrentFanout?: number | undefined
  /** Clients whose request rate is remembered (LRU). @default 10000 */
  readonly maxClients?: number | undefined
}

/** Options of {@link createGuard}. */
export interface GuardOptions {
  /** Client API keys, sent as `Authorization: Bearer <key>`. @default none: every client is let in */
  readonly keys?: readonly string[] | undefined
  /** Per-client limits. @default none */
  readonly limits?: GuardLimits | undefined
  /** The gateway's default and largest fan-out, which `limits` are checked against. @default { n: 4, maxN: 16 } */
  readonly fanout?: { readonly n: number; readonly maxN: number } | undefined
  /** Mask personal data and secrets in logged records. @default false */
  readonly redact?: boolean | undefined
  /** Honour `x-bonbon-log: off` from clients by logging nothing for that request. @default true */
  readonly allowOptOut?: boolean | undefined
  /** Milliseconds, for the rate limiter. @default Date.now */
  readonly now?: (() => number) | undefined
}

/** What the guard needs to know about an incoming request. */
export interface GuardRequest {
  /** The request's headers. */
  readonly headers: Headers
  /** The client's network address, when the runtime knows it. */
  readonly address?: string | undefined
}

/** A request the guard let in. */
export interface GuardPass {
  /** The client: `key:<position in keys>` with auth, else `ip:<address>`, else `anonymous`. */
  readonly client: string
  /** The client sent `x-bonbon-log: off` and the operator allows opting out. */
  readonly logOptOut: boolean
}

/** The guard's decision on a parsed request, in the shape the best-of-n middleware's `admit` takes. */
export interface GuardAdmission {
  /** The request to run, caps applied. */
  readonly request: BestOfNRequest
  /** Gives back the fan-out reserved for the request. */
  readonly release: () => void
  /** What to log of the record: redacted, nothing (opted out), or undefined for the record as is. */
  readonly record: ((record: PreferenceRecord) => PreferenceRecord | undefined) | undefined
}

/** Authentication, rate limits, caps and log privacy for a gateway. */
export interface Guard {
  /**
   * Lets a request in or refuses it, before its body is read.
   * @throws AuthenticationError for a missing or unknown key; RateLimitError over the request rate.
   */
  check(request: GuardRequest): Promise<GuardPass>
  /**
   * Applies the client's caps to its parsed request of fan-out `n`, and reserves that fan-out.
   * @throws InvalidRequestError over `maxN` or `maxTokens`; RateLimitError over `maxConcurrentFanout`.
   */
  admit(pass: GuardPass, request: BestOfNRequest, n: number): GuardAdmission
}

/** The header a client sends to keep its request out of the log. */
export const logOptOutHeader = 'x-bonbon-log'

/**
 * Builds the guard of a gateway: optional client API keys (constant-time), a token bucket per client,
 * caps on fan-out and `max_tokens`, a limit on fan-out in flight per client, and what is logged
 * (redaction, per-request opt-out).
 * @throws InvalidOptionsError for limits that contradict each other or the gateway's fan-out.
 * @example
 * const guard = createGuard({ keys: [process.env.CLIENT_KEY], limits: { requestsPerMinute: 60, maxN: 8 } })
 */
export function createGuard(options: GuardOptions = {}): Guard {
  const limits = options.limits ?? {}
  const fanout = options.fanout ?? { n: 4, maxN: 16 }
  checkLimits(limits, fanout)
  const keys = options.keys ?? []
  const verifier = keys.length > 0 ? createApiKeyVerifier(keys) : undefined
  const rateLimiter =
    limits.requestsPerMinute === undefined
      ? undefined
      : createRateLimiter({
          requestsPerMinute: limits.requestsPerMinute,
          burst: limits.burst,
          maxClients: limits.maxClients,
          now: options.now,
        })
  const fanoutLimiter =
    limits.maxConcurrentFanout === undefined ? undefined : createFanoutLimiter(limits.maxConcurrentFanout)
  const allowOptOut = options.allowOptOut ?? true
  const prepareRecord = options.redact === true ? redactRecord : undefined
  const keepNothing = () => undefined

  return {
    async check({ headers, address }) {
      const client = verifier
        ? `key:${await verifier.verify(headers.get('authorization'))}`
        : address
          ? `ip:${address}`
          : 'anonymous'
      const decision = rateLimiter?.take(client)
      if (decision?.allowed === false) {
        throw new RateLimitError(
          `Rate limit reached: ${limits.requestsPerMinute} requests per minute. Try again in ${decision.retryAfterSeconds} s.`,
          { code: 'rate_limit_exceeded', retryAfterSeconds: decision.retryAfterSeconds },
        )
      }
      return { client, logOptOut: allowOptOut && wantsNoLog(headers.get(logOptOutHeader)) }
    },

    admit(pass, request, n) {
      const capped = applyRequestCaps(request, n, { maxN: limits.maxN, maxTokens: limits.maxTokens })
      let release = () => {}
      if (fanoutLimiter) {
        const reserved = fanoutLimiter.acquire(pass.client, n)
        if (reserved === undefined) {
          throw new RateLimitError(
            `Too many candidates in flight: at most ${limits.maxConcurrentFanout} at once per client, ` +
              `${fanoutLimiter.inFlight(pass.client)} running and ${n} asked.`,
            { code: 'concurrency_limit_exceeded', retryAfterSeconds: 1 },
          )
        }
        release = reserved
      }
      return { request: capped, release, record: pass.logOptOut ? keepNothing : prepareRecord }
    },
  }
}

/**
 * Reads `x-bonbon-log`: `off` or `on`, in any case. Anything else is refused, not ignored: a client
 * that wrote `false` or `no` meant to opt out, and storing its request anyway would break that.
 * @throws InvalidRequestError naming the header.
 */
function wantsNoLog(value: string | null): boolean {
  if (value === null) return false
  const setting = value.trim().toLowerCase()
  if (setting === 'off') return true
  if (setting === 'on') return false
  throw new InvalidRequestError(`Header ${logOptOutHeader} must be "off" or "on".`, { param: logOptOutHeader, code: 'invalid_header' })
}

function checkLimits(limits: GuardLimits, fanout: { readonly n: number; readonly maxN: number }): void {
  for (const key of ['requestsPerMinute', 'burst', 'maxN', 'maxTokens', 'maxConcurrentFanout', 'maxClients'] as const) {
    const value = limits[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new InvalidOptionsError(`limits.${key} must be a positive integer; got ${value}.`, { key: `limits.${key}` })
    }
  }
  if (limits.burst !== undefined && limits.requestsPerMinute === undefined) {
    throw new InvalidOptionsError('limits.burst needs limits.requestsPerMinute.', { key: 'limits.burst' })
  }
  if (limits.maxN !== undefined && limits.maxN < fanout.n) {
    throw new InvalidOptionsError(
      `limits.maxN (${limits.maxN}) must be at least the default fan-out bestOfN.n (${fanout.n}), or no request could run.`,
      { key: 'limits.maxN' },
    )
  }
  const largest = Math.min(limits.maxN ?? fanout.maxN, fanout.maxN)
  if (limits.maxConcurrentFanout !== undefined && limits.maxConcurrentFanout < largest) {
    throw new InvalidOptionsError(
      `limits.maxConcurrentFanout (${limits.maxConcurrentFanout}) must be at least the largest fan-out a request ` +
        `may ask for (${largest}); lower limits.maxN to match.`,
      { key: 'limits.maxConcurrentFanout' },
    )
  }
}
