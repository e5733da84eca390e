import { getConnInfo } from '@hono/node-server/conninfo'
import { readFile } from 'node:fs/promises'
import type { BonbonConfigInput } from '../config/config-schema.js'
import { createSqliteSink } from '../log/sqlite-sink.node.js'
import { createApp as createCoreApp, type AppRuntime, type BonbonApp } from './create-app.js'
import { createUndiciFetch } from './undici-fetch.node.js'

/**
 * Builds the gateway on Node: undici for upstream calls (keep-alive pool, explicit timeouts),
 * files read from disk, records logged to the embedded SQLite store, clients told apart by their
 * socket address, and `BONBON_*` environment variables applied. Override any of these through `runtime`.
 */
export async function createApp(config: BonbonConfigInput, runtime: AppRuntime = {}): Promise<BonbonApp> {
  return createCoreApp(config, {
    fetch: runtime.fetch,
    createFetch:
      runtime.createFetch ??
      ((resolved) => {
        const upstream = resolved.upstream
        return upstream?.kind === 'openai'
          ? createUndiciFetch({
              connectTimeoutMs: upstream.connectTimeoutMs,
              headersTimeoutMs: upstream.headersTimeoutMs,
              bodyTimeoutMs: upstream.bodyTimeoutMs,
            })
          : createUndiciFetch()
      }),
    readTextFile: runtime.readTextFile ?? ((path) => readFile(path, 'utf8')),
    env: runtime.env ?? process.env,
    onLogError: runtime.onLogError,
    // The socket's peer, not X-Forwarded-For: a header a client sets itself cannot key its rate limit.
    clientAddress: runtime.clientAddress ?? nodeClientAddress,
    now: runtime.now,
    createLogSink:
      runtime.createLogSink ??
      ((resolved) =>
        resolved.log.kind === 'sqlite'
          ? createSqliteSink({
              path: resolved.log.path,
              batchSize: resolved.log.batchSize,
              flushIntervalMs: resolved.log.flushIntervalMs,
              durability: resolved.log.durability,
              maxQueue: resolved.log.maxQueue,
              spillPath: resolved.log.spillPath,
            })
          : undefined),
  })
}

/** The socket's peer; unknown when the app is called in-process (`app.request`), with no socket. */
function nodeClientAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}
