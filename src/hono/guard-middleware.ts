import type { Context, MiddlewareHandler } from 'hono'
import { createGuard, type GuardOptions, type GuardPass } from '../guard/create-guard.js'
import type { BestOfNOptions } from './best-of-n-middleware.js'

/** Options of {@link guard}. */
export interface GuardMiddlewareOptions extends GuardOptions {
  /**
   * The client's network address, which tells clients apart when there are no API keys (Node:
   * `getConnInfo(c).remote.address`; Workers: the `cf-connecting-ip` header).
   * @default none: clients without a key share one rate limit
   */
  readonly clientAddress?: ((c: Context) => string | undefined) | undefined
}

/** The two halves of the guard, mounted around the best-of-n middleware. */
export interface GuardMiddleware {
  /** Mount before `bestOfN` on the same paths: checks the API key and the request rate, before the body is read. */
  readonly middleware: MiddlewareHandler
  /** Pass as `bestOfN`'s `admit`: applies the client's caps to each parsed request and decides what is logged. */
  readonly admit: NonNullable<BestOfNOptions['admit']>
}

/** A request the middleware did not see (mounted on other paths) counts as an anonymous client. */
const unchecked: GuardPass = { client: 'anonymous', logOptOut: false }

/**
 * Guards a best-of-n gateway: client API keys, per-client rate limits, caps on fan-out, `max_tokens`
 * and fan-out in flight, and log privacy (redaction, `x-bonbon-log: off`). Errors are thrown for the
 * app's `onError`, which answers them in OpenAI's shape (401, 429 with `Retry-After`, 400).
 * @throws InvalidOptionsError for contradictory limits.
 * @example
 * ```ts
 * const guarded = guard({ keys: ['…'], limits: { requestsPerMinute: 60, maxN: 8 } })
 * app.use('/v1/*', guarded.middleware)
 * app.use('/v1/*', bestOfN({ backend, rewardModel, admit: guarded.admit }))
 * ```
 */
export function guard(options: GuardMiddlewareOptions = {}): GuardMiddleware {
  const core = createGuard(options)
  const { clientAddress } = options
  // Keyed by the Request object, so the pass lives exactly as long as its request.
  const passes = new WeakMap<Request, GuardPass>()
  return {
    middleware: async function bonbonGuard(c, next) {
      const pass = await core.check({ headers: c.req.raw.headers, address: clientAddress?.(c) })
      passes.set(c.req.raw, pass)
      await next()
    },
    admit: (c, request, n) => core.admit(passes.get(c.req.raw) ?? unchecked, request, n),
  }
}
