import type { MiddlewareHandler } from 'hono'
import { describeError } from '../errors.js'

/** What an operator sees of one request. */
export interface AccessLogEntry {
  readonly method: string
  readonly path: string
  readonly status: number
  /** Time to the answer's headers, ms (a stream goes on after). */
  readonly ms: number
  /** The `x-bonbon-*` headers of the answer, when it has them. */
  readonly requestId: string | undefined
  readonly n: string | undefined
  readonly chosen: string | undefined
  readonly degraded: string | undefined
  /** The error behind a 4xx/5xx answer, for the operator (it may name internal hosts). */
  readonly error: string | undefined
}

/** Times every request and reports it once its answer is ready. */
export function accessLogMiddleware(report: (entry: AccessLogEntry) => void): MiddlewareHandler {
  return async function accessLog(c, next) {
    const started = performance.now()
    await next()
    const header = (name: string) => c.res.headers.get(name) ?? undefined
    report({
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: performance.now() - started,
      requestId: header('x-bonbon-request-id'),
      n: header('x-bonbon-n'),
      chosen: header('x-bonbon-chosen-index'),
      degraded: header('x-bonbon-degraded'),
      error: c.error ? describeError(c.error) : undefined,
    })
  }
}

/** One line per request: `POST /v1/chat/completions 200 812ms n=4 chosen=2 id=…`. */
export function formatAccessLogEntry(entry: AccessLogEntry): string {
  const parts = [entry.method, entry.path, String(entry.status), `${Math.round(entry.ms)}ms`]
  if (entry.n !== undefined) parts.push(`n=${entry.n}`)
  if (entry.chosen !== undefined) parts.push(`chosen=${entry.chosen}`)
  if (entry.degraded !== undefined) parts.push(`degraded=${entry.degraded}`)
  if (entry.requestId !== undefined) parts.push(`id=${entry.requestId}`)
  if (entry.error !== undefined) parts.push(`error: ${entry.error}`)
  return parts.join(' ')
}
