import { readFile } from 'node:fs/promises'
import { Agent, fetch as undiciFetch } from 'undici'
import type { BonbonConfigInput } from '../config/config-schema.js'
import { createSqliteSink } from '../log/sqlite-sink.node.js'
import { createApp as createCoreApp, type AppRuntime, type BonbonApp } from './create-app.js'

/**
 * Builds the gateway on Node: undici for upstream calls (keep-alive pool, explicit timeouts),
 * files read from disk, records logged to the embedded SQLite store, and `BONBON_*` environment
 * variables applied. Override any of these through `runtime`.
 */
export async function createApp(config: BonbonConfigInput, runtime: AppRuntime = {}): Promise<BonbonApp> {
  return createCoreApp(config, {
    fetch: runtime.fetch ?? createUndiciFetch(),
    readTextFile: runtime.readTextFile ?? ((path) => readFile(path, 'utf8')),
    env: runtime.env ?? process.env,
    onLogError: runtime.onLogError,
    createLogSink:
      runtime.createLogSink ??
      ((resolved) =>
        resolved.log.kind === 'sqlite'
          ? createSqliteSink({
              path: resolved.log.path,
              batchSize: resolved.log.batchSize,
              flushIntervalMs: resolved.log.flushIntervalMs,
            })
          : undefined),
  })
}

function createUndiciFetch(): typeof fetch {
  // Explicit timeouts: undici's defaults (300 s for headers and body) would hold a request hostage
  // to a stalled GPU backend far longer than any client waits.
  const dispatcher = new Agent({
    connect: { timeout: 10_000 },
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
    keepAliveTimeout: 30_000,
  })
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string, { ...(init as object), dispatcher })) as unknown as typeof fetch
}
