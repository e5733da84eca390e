import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import type { WorkerEnv } from './cloudflare-bindings.js'

/** Settings of the Worker that the gateway's JSON configuration does not cover: the runtime's limits. */
export interface EdgeSettings {
  /** `BONBON_MAX_CONNECTIONS`: connections one request may hold open at once (Workers allow 6). @default 6 */
  readonly maxConnections: number
  /** `BONBON_MAX_SUBREQUESTS`: outgoing calls per request before the next is refused. @default 50 */
  readonly maxSubrequests: number
  /** `BONBON_SCORE_CACHE_ENTRIES`: rewards cached per isolate; 0 turns the cache off. @default 1000 */
  readonly scoreCacheEntries: number
  /** `BONBON_SCORE_CACHE_BYTES`: bytes the score cache may hold per isolate. @default 4194304 */
  readonly scoreCacheBytes: number
}

// Vars arrive as strings (`--var`, the dashboard) or as numbers ([vars] in wrangler.toml).
const integer = (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
    z.int({ error: 'must be a whole number' }).min(min).max(max),
  )

const settingsSchema = z.object({
  BONBON_MAX_CONNECTIONS: integer(1, 6).default(6),
  BONBON_MAX_SUBREQUESTS: integer(1).default(50),
  BONBON_SCORE_CACHE_ENTRIES: integer(0).default(1000),
  BONBON_SCORE_CACHE_BYTES: integer(1024).default(4 * 1024 * 1024),
})

/**
 * Reads the edge settings from the Worker's vars.
 * @throws InvalidOptionsError naming the variable at fault.
 */
export function readEdgeSettings(env: WorkerEnv): EdgeSettings {
  const parsed = settingsSchema.safeParse({
    BONBON_MAX_CONNECTIONS: env['BONBON_MAX_CONNECTIONS'],
    BONBON_MAX_SUBREQUESTS: env['BONBON_MAX_SUBREQUESTS'],
    BONBON_SCORE_CACHE_ENTRIES: env['BONBON_SCORE_CACHE_ENTRIES'],
    BONBON_SCORE_CACHE_BYTES: env['BONBON_SCORE_CACHE_BYTES'],
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const key = String(issue?.path[0] ?? '')
    throw new InvalidOptionsError(`Worker var ${key}: ${issue?.message ?? 'invalid'}.`, { key })
  }
  const vars = parsed.data
  return {
    maxConnections: vars.BONBON_MAX_CONNECTIONS,
    maxSubrequests: vars.BONBON_MAX_SUBREQUESTS,
    scoreCacheEntries: vars.BONBON_SCORE_CACHE_ENTRIES,
    scoreCacheBytes: vars.BONBON_SCORE_CACHE_BYTES,
  }
}
