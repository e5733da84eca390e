/**
 * Error classes of bonbon. Every error has a stable `code` and an `isInstance` check that works
 * across duplicate copies of the package (a `Symbol.for` marker, as the AI SDK does), so a user's
 * gateway can narrow errors without `instanceof`.
 *
 * HTTP mapping lives in exactly one place: `src/protocol/error-response.ts`.
 * @module
 */

const marker = 'bonbon.error'
const baseSymbol = Symbol.for(marker)

/** Options shared by every bonbon error. */
export interface BonbonErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
}

/** Base class of every error bonbon throws. */
export class BonbonError extends Error {
  private readonly [baseSymbol] = true
  /** A stable, machine-readable code (`invalid_request`, `upstream_error`, ...). */
  readonly code: string

  constructor(code: string, message: string, options: BonbonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BonbonError'
    this.code = code
  }

  static isInstance(error: unknown): error is BonbonError {
    return typeof error === 'object' && error !== null && baseSymbol in error
  }
}

function defineIsInstance<T>(symbol: symbol) {
  return (error: unknown): error is T =>
    typeof error === 'object' && error !== null && symbol in error
}

const invalidRequestSymbol = Symbol.for(`${marker}.InvalidRequestError`)
/** The client's request is malformed or out of range (HTTP 400). */
export class InvalidRequestError extends BonbonError {
  private readonly [invalidRequestSymbol] = true
  /** The request field at fault, in dotted form (`messages.0.content`), or null. */
  readonly param: string | null

  constructor(message: string, options: BonbonErrorOptions & { param?: string | null; code?: string } = {}) {
    super(options.code ?? 'invalid_request', message, options)
    this.name = 'BonbonInvalidRequestError'
    this.param = options.param ?? null
  }

  static override isInstance = defineIsInstance<InvalidRequestError>(invalidRequestSymbol)
}

const payloadTooLargeSymbol = Symbol.for(`${marker}.PayloadTooLargeError`)
/** The request body is larger than the configured limit (HTTP 413). */
export class PayloadTooLargeError extends BonbonError {
  private readonly [payloadTooLargeSymbol] = true
  /** The limit in bytes. */
  readonly limit: number

  constructor(limit: number) {
    super('payload_too_large', `Request body exceeds the limit of ${limit} bytes.`)
    this.name = 'BonbonPayloadTooLargeError'
    this.limit = limit
  }

  static override isInstance = defineIsInstance<PayloadTooLargeError>(payloadTooLargeSymbol)
}

/** Data shared by errors about a remote HTTP call. */
export interface RemoteCallErrorOptions extends BonbonErrorOptions {
  /** The URL called (never with credentials). */
  url?: string
  /** The HTTP status, when a response arrived. */
  status?: number
  /** The first bytes of the response body, for diagnosis. */
  responseBody?: string
  /** Whether trying again may succeed. Defaults to the AI SDK's rule: no status, 408, 409, 429, ≥ 500. */
  isRetryable?: boolean
  /** Seconds the server asked us to wait (`Retry-After`), when it said. */
  retryAfterSeconds?: number
}

function defaultRetryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500
}

const upstreamSymbol = Symbol.for(`${marker}.UpstreamError`)
/** The inference backend failed, answered with an error, or answered with something unreadable. */
export class UpstreamError extends BonbonError {
  private readonly [upstreamSymbol] = true
  readonly url: string | undefined
  readonly status: number | undefined
  readonly responseBody: string | undefined
  readonly isRetryable: boolean
  readonly retryAfterSeconds: number | undefined
  /** The `code` and `param` of the upstream's own error body (`context_length_exceeded`, `max_tokens`). */
  readonly reported: UpstreamReportedError | undefined

  constructor(message: string, options: RemoteCallErrorOptions & { code?: string; reported?: UpstreamReportedError } = {}) {
    super(options.code ?? 'upstream_error', message, options)
    this.name = 'BonbonUpstreamError'
    this.url = options.url
    this.status = options.status
    this.responseBody = options.responseBody
    this.isRetryable = options.isRetryable ?? defaultRetryable(options.status)
    this.retryAfterSeconds = options.retryAfterSeconds
    this.reported = options.reported
  }

  static override isInstance = defineIsInstance<UpstreamError>(upstreamSymbol)
}

/** What an upstream's OpenAI-shaped error said besides its message, for clients that branch on it. */
export interface UpstreamReportedError {
  readonly code?: string | undefined
  readonly param?: string | undefined
}

const rewardModelSymbol = Symbol.for(`${marker}.RewardModelError`)
/** The reward model failed, or returned something that is not a finite score per candidate. */
export class RewardModelError extends BonbonError {
  private readonly [rewardModelSymbol] = true
  readonly url: string | undefined
  readonly status: number | undefined
  readonly responseBody: string | undefined
  readonly isRetryable: boolean

  constructor(message: string, options: RemoteCallErrorOptions = {}) {
    super('reward_model_error', message, options)
    this.name = 'BonbonRewardModelError'
    this.url = options.url
    this.status = options.status
    this.responseBody = options.responseBody
    this.isRetryable = options.isRetryable ?? defaultRetryable(options.status)
  }

  static override isInstance = defineIsInstance<RewardModelError>(rewardModelSymbol)
}

/** What the upstream said of the failures of an {@link AllCandidatesFailedError}, when it said. */
export interface AllCandidatesFailedDetails {
  /** The HTTP status, when every candidate failed with the same one. */
  readonly upstreamStatus?: number | undefined
  /** The longest `Retry-After`, seconds. */
  readonly retryAfterSeconds?: number | undefined
  /** The first failure's `code` and `param`. */
  readonly reported?: UpstreamReportedError | undefined
}

const allFailedSymbol = Symbol.for(`${marker}.AllCandidatesFailedError`)
/** Not one candidate could be generated (or scored), so there is nothing to answer with. */
export class AllCandidatesFailedError extends BonbonError {
  private readonly [allFailedSymbol] = true
  /** Why each candidate failed, by candidate index. */
  readonly causes: readonly string[]
  /** The HTTP status the upstream gave, when every candidate failed with the same one. */
  readonly upstreamStatus: number | undefined
  /** The longest `Retry-After` the upstream gave for these failures, seconds, when it gave one. */
  readonly retryAfterSeconds: number | undefined
  /** The first failure's `code` and `param` as the upstream reported them, when it did. */
  readonly reported: UpstreamReportedError | undefined

  constructor(causes: readonly string[], details: AllCandidatesFailedDetails = {}) {
    const first = causes[0] ?? 'no candidates'
    super('all_candidates_failed', `All ${causes.length} candidates failed; first error: ${first}`)
    this.name = 'BonbonAllCandidatesFailedError'
    this.causes = causes
    this.upstreamStatus = details.upstreamStatus
    this.retryAfterSeconds = details.retryAfterSeconds
    this.reported = details.reported
  }

  static override isInstance = defineIsInstance<AllCandidatesFailedError>(allFailedSymbol)
}

const deadlineSymbol = Symbol.for(`${marker}.DeadlineExceededError`)
/** The per-request deadline passed before enough candidates were ready (HTTP 504). */
export class DeadlineExceededError extends BonbonError {
  private readonly [deadlineSymbol] = true
  /** The deadline, ms. */
  readonly deadlineMs: number

  constructor(message: string, deadlineMs: number) {
    super('deadline_exceeded', message)
    this.name = 'BonbonDeadlineExceededError'
    this.deadlineMs = deadlineMs
  }

  static override isInstance = defineIsInstance<DeadlineExceededError>(deadlineSymbol)
}

const invalidOptionsSymbol = Symbol.for(`${marker}.InvalidOptionsError`)
/** Options or configuration are invalid; thrown at construction, before any request. */
export class InvalidOptionsError extends BonbonError {
  private readonly [invalidOptionsSymbol] = true
  /** The offending key, in dotted form (`reward.baseURL`), when known. */
  readonly key: string | undefined

  constructor(message: string, options: BonbonErrorOptions & { key?: string } = {}) {
    super('invalid_options', message, options)
    this.name = 'BonbonInvalidOptionsError'
    this.key = options.key
  }

  static override isInstance = defineIsInstance<InvalidOptionsError>(invalidOptionsSymbol)
}

const notFoundSymbol = Symbol.for(`${marker}.NotFoundError`)
/** The route or resource does not exist (HTTP 404). */
export class NotFoundError extends BonbonError {
  private readonly [notFoundSymbol] = true

  constructor(message: string) {
    super('not_found', message)
    this.name = 'BonbonNotFoundError'
  }

  static override isInstance = defineIsInstance<NotFoundError>(notFoundSymbol)
}

const methodNotAllowedSymbol = Symbol.for(`${marker}.MethodNotAllowedError`)
/** The route exists, but not for this method (HTTP 405, with `Allow`). */
export class MethodNotAllowedError extends BonbonError {
  private readonly [methodNotAllowedSymbol] = true
  /** The methods the route answers. */
  readonly allow: readonly string[]

  constructor(message: string, allow: readonly string[]) {
    super('method_not_allowed', message)
    this.name = 'BonbonMethodNotAllowedError'
    this.allow = allow
  }

  static override isInstance = defineIsInstance<MethodNotAllowedError>(methodNotAllowedSymbol)
}

const authenticationSymbol = Symbol.for(`${marker}.AuthenticationError`)
/** The client sent no API key, or one the gateway does not accept (HTTP 401). */
export class AuthenticationError extends BonbonError {
  private readonly [authenticationSymbol] = true

  constructor(message: string) {
    super('invalid_api_key', message)
    this.name = 'BonbonAuthenticationError'
  }

  static override isInstance = defineIsInstance<AuthenticationError>(authenticationSymbol)
}

const rateLimitSymbol = Symbol.for(`${marker}.RateLimitError`)
/** The client is over one of its limits: requests per minute, or fan-out in flight (HTTP 429). */
export class RateLimitError extends BonbonError {
  private readonly [rateLimitSymbol] = true
  /** Whole seconds after which trying again may succeed, sent as `Retry-After`. */
  readonly retryAfterSeconds: number

  constructor(message: string, options: { code: 'rate_limit_exceeded' | 'concurrency_limit_exceeded'; retryAfterSeconds: number }) {
    super(options.code, message)
    this.name = 'BonbonRateLimitError'
    this.retryAfterSeconds = options.retryAfterSeconds
  }

  static override isInstance = defineIsInstance<RateLimitError>(rateLimitSymbol)
}

/** Turns anything thrown into a short, single-line message fit for a log record. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
