import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { getPlatformProxy, unstable_readConfig, unstable_startWorker } from 'wrangler'

/** The repository root, where wrangler.toml lives. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// No network in tests or CI: no telemetry, no update check (the banner does it), no Request.cf fetch.
const offlineEnv = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: '1',
  NO_COLOR: '1',
}
Object.assign(process.env, offlineEnv)

const wranglerBin = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js')
const run = promisify(execFile)

/** Runs the wrangler command line (with this Node), offline; resolves with its standard output. */
export async function wrangler(args: readonly string[], cwd = repoRoot): Promise<string> {
  const { stdout } = await run(process.execPath, [wranglerBin, ...args], {
    cwd,
    env: { ...process.env, ...offlineEnv },
    maxBuffer: 64 * 1024 * 1024,
  })
  return stdout
}

/** A Worker running in workerd under `wrangler dev`'s machinery, with its local state in a temp folder. */
export interface DevWorker {
  /** Where the Worker listens, without a trailing slash. */
  readonly url: string
  /** The local state folder (D1, R2, Queues), as `--persist-to` takes it. */
  readonly persistTo: string
  /** The wrangler configuration file the Worker runs from. */
  readonly configPath: string
  /** Dispatches a queue batch straight to the Worker's `queue()` handler. */
  readonly queue: Awaited<ReturnType<typeof unstable_startWorker>>['queue']
  /** Replaces the Worker's vars (BONBON_CONFIG and others) and waits for the reload. */
  setVars(vars: Readonly<Record<string, string>>): Promise<void>
  /** Bindings (D1, R2) over the same local state, for checking what the Worker stored. */
  bindings(): Promise<Record<string, unknown>>
  /** Stops the Worker and the bindings proxy, and deletes the state folder. */
  dispose(): Promise<void>
}

/** Options of {@link startDevWorker}. */
export interface StartDevWorkerOptions {
  /** Vars of the Worker, BONBON_CONFIG included. */
  readonly vars: Readonly<Record<string, string>>
  /** The wrangler configuration. @default the repository's wrangler.toml */
  readonly configPath?: string
}

const plainText = (vars: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }]))

/**
 * Starts the Worker of `configPath` locally in workerd (what `wrangler dev` runs) on a free port of
 * 127.0.0.1, with local state in a fresh temp folder laid out as a project's `.wrangler/state`, so
 * that `wrangler d1 export --local` run in {@link DevWorker.persistTo}'s project finds it too.
 */
export async function startDevWorker(options: StartDevWorkerOptions): Promise<DevWorker> {
  const configPath = options.configPath ?? join(repoRoot, 'wrangler.toml')
  const project = await mkdtemp(join(tmpdir(), 'bonbon-edge-'))
  const persistTo = join(project, '.wrangler', 'state')
  const worker = await unstable_startWorker({
    config: configPath,
    bindings: plainText(options.vars),
    sendMetrics: false,
    dev: {
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      persist: persistTo,
      watch: false,
      logLevel: 'error',
    },
  })
  await worker.ready
  const url = (await worker.url).href.replace(/\/$/, '')
  // `ready` stays resolved across a config change; the reload is known done when the runtime says so.
  const devEnv = worker.raw
  const dispatch = devEnv.dispatch.bind(devEnv)
  let onReload: (() => void) | undefined
  devEnv.dispatch = (event) => {
    dispatch(event)
    if (event.type === 'reloadComplete') onReload?.()
  }
  let proxy: Awaited<ReturnType<typeof getPlatformProxy<Record<string, unknown>>>> | undefined
  return {
    url,
    persistTo,
    configPath,
    queue: (...args) => worker.queue(...args),
    async setVars(vars) {
      const reloaded = new Promise<void>((resolve) => (onReload = resolve))
      await worker.patchConfig({ bindings: plainText(vars) })
      await reloaded
      await worker.ready
    },
    async bindings() {
      proxy ??= await getPlatformProxy<Record<string, unknown>>({ configPath, persist: { path: join(persistTo, 'v3') } })
      return proxy.env
    },
    async dispose() {
      await proxy?.dispose()
      await worker.dispose()
      await rm(project, { recursive: true, force: true })
    },
  }
}

/**
 * Writes, next to the Worker's state, a wrangler.toml naming the same D1 database, so that commands
 * without `--persist-to` (`wrangler d1 export --local`) read the Worker's local database.
 * @returns The project folder to run such commands in.
 */
export async function stateProject(worker: DevWorker): Promise<string> {
  const project = dirname(dirname(worker.persistTo))
  const config = unstable_readConfig({ config: worker.configPath })
  const lines = config.d1_databases.flatMap((database: { binding: string; database_name?: string; database_id?: string }) => [
    '[[d1_databases]]',
    `binding = ${JSON.stringify(database.binding)}`,
    `database_name = ${JSON.stringify(database.database_name ?? database.binding)}`,
    `database_id = ${JSON.stringify(database.database_id ?? database.binding)}`,
  ])
  await writeFile(join(project, 'wrangler.toml'), [`name = "bonbon-state"`, ...lines, ''].join('\n'))
  return project
}
