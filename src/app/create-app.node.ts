import type { HttpBindings } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { readFile } from 'node:fs/promises'
import type { BonbonConfigInput } from '../config/config-schema.js'
import { InvalidOptionsError } from '../errors.js'
import { createSqliteSink } from '../log/sqlite-sink.node.js'
import { createApp as createCoreApp, type AppRuntime, type BonbonApp } from './create-app.js'
import { createUndiciFetch, type UndiciFetch } from './undici-fetch.node.js'

/**
 * Builds the gateway on Node: undici for upstream calls (keep-alive pool, explicit timeouts),
 * files read from disk, records logged to the embedded SQLite store, clients told apart by their
 * socket address, and `BONBON_*` environment variables applied. Override any of these through `runtime`.
 * Closing the app also closes the undici pool it made (a `fetch` the caller passed is the caller's).
 */
export async function createApp(config: BonbonConfigInput, runtime: AppRuntime = {}): Promise<BonbonApp> {
  let pool: UndiciFetch | undefined
  const built = createCoreApp(config, {
    // Everything the caller gave is kept; only what is missing gets a Node default.
    ...runtime,
    createFetch:
      runtime.createFetch ??
      ((resolved) => {
        const upstream = resolved.upstream
        pool =
          upstream?.kind === 'openai'
            ? createUndiciFetch({
                connectTimeoutMs: upstream.connectTimeoutMs,
                headersTimeoutMs: upstream.headersTimeoutMs,
                bodyTimeoutMs: upstream.bodyTimeoutMs,
              })
            : createUndiciFetch()
        return pool
      }),
    readTextFile: runtime.readTextFile ?? ((path) => readFile(path, 'utf8')),
    env: runtime.env ?? process.env,
    // The socket's peer, not X-Forwarded-For: a header a client sets itself cannot key its rate limit.
    clientAddress: runtime.clientAddress ?? nodeClientAddress,
    isBodyBounded: runtime.isBodyBounded ?? isNodeBodyBounded,
    createLogSink:
      runtime.createLogSink ??
      ((resolved) => {
        const log = resolved.log
        if (log.kind === 'none') return undefined
        if (log.kind !== 'sqlite') {
          throw new InvalidOptionsError(
            `log.kind "${log.kind}" is for Cloudflare Workers (src/edge); on Node use "sqlite" or "none".`,
            { key: 'log.kind' },
          )
        }
        return createSqliteSink({
          path: log.path,
          batchSize: log.batchSize,
          flushIntervalMs: log.flushIntervalMs,
          durability: log.durability,
          maxQueue: log.maxQueue,
          spillPath: log.spillPath,
        })
      }),
  })
  const app = await built.catch(async (error: unknown) => {
    await pool?.close()
    throw error
  })
  return {
    ...app,
    close: async () => {
      try {
        await app.close()
      } finally {
        await pool?.close()
      }
    },
  }
}

/** The socket's peer; unknown when the app is called in-process (`app.request`), with no socket. */
function nodeClientAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}

/**
 * Whether the request came over HTTP/1 declaring a `Content-Length` within `limit` and no
 * `Transfer-Encoding`: Node's HTTP/1 parser then delivers exactly that many body bytes (more belong
 * to the next request; a conflicting `Transfer-Encoding` is refused before the app sees the
 * request), so the body may be read in one piece, bounded as surely as by counting. Any other
 * request (chunked, HTTP/2, in-process `app.request`, a `Content-Length` over the limit, which gets
 * the usual 413) is streamed and counted as it is read.
 */
function isNodeBodyBounded(c: Context, limit: number): boolean {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming
  if (incoming === undefined || incoming.httpVersionMajor !== 1) return false
  const { headers } = incoming
  const declared = headers['content-length']
  if (declared === undefined || headers['transfer-encoding'] !== undefined) return false
  return /^\d{1,15}$/.test(declared) && Number(declared) <= limit
}
