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

/** Longest a client-controlled field of an access-log line may be, in characters. */
const fieldLimit = 512

/**
 * One line per request: `POST /v1/chat/completions 200 812ms n=4 chosen=2 id=…`. Fields a client
 * controls (the decoded path, error text that quotes its body) have control characters escaped and
 * are cut short, so a request cannot forge or flood log lines (CWE-117).
 */
export function formatAccessLogEntry(entry: AccessLogEntry): string {
  const parts = [safe(entry.method), safe(entry.path), String(entry.status), `${Math.round(entry.ms)}ms`]
  if (entry.n !== undefined) parts.push(`n=${safe(entry.n)}`)
  if (entry.chosen !== undefined) parts.push(`chosen=${safe(entry.chosen)}`)
  if (entry.degraded !== undefined) parts.push(`degraded=${safe(entry.degraded)}`)
  if (entry.requestId !== undefined) parts.push(`id=${safe(entry.requestId)}`)
  if (entry.error !== undefined) parts.push(`error: ${safe(entry.error)}`)
  return parts.join(' ')
}

function safe(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => JSON.stringify(char).slice(1, -1))
  return escaped.length <= fieldLimit ? escaped : `${escaped.slice(0, fieldLimit)}… (${escaped.length - fieldLimit} more)`
}
