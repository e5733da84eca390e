import { readFile } from 'node:fs/promises'
import type { BonbonConfigInput } from '../config/config-schema.js'
import { createSqliteSink } from '../log/sqlite-sink.node.js'
import { createApp as createCoreApp, type AppRuntime, type BonbonApp } from './create-app.js'
import { createUndiciFetch } from './undici-fetch.node.js'

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
