/**
 * `npm run bench:load`: 1,000 concurrent best-of-4 requests against `bonbon serve` (a child process)
 * in front of a simulated backend where 5% of candidate calls fail and a simulated reward model where
 * 1% of scoring calls fail, once with `log.durability: "sync"` and once with `"async"`. Right after
 * the last answer the gateway is SIGKILLed (a crash, no drain), restarted (which replays any spill
 * file) and stopped with SIGTERM; then the store is read and every answered request looked up.
 *
 * Options (env): BENCH_LOAD_REQUESTS (default 1000), BENCH_LOAD_CONCURRENCY (default: all at once).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import type { BonbonConfigInput } from '../src/config/config-schema.js'
import { openSqliteStore } from '../src/log/sqlite-store.node.js'
import { startSimulatedBackend } from '../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer } from '../src/testing/simulated-reward-server.node.js'
import { printTable } from './print-table.js'

const total = Number(process.env['BENCH_LOAD_REQUESTS'] ?? 1_000)
const concurrency = Number(process.env['BENCH_LOAD_CONCURRENCY'] ?? total)
const entry = fileURLToPath(new URL('./load-gateway.ts', import.meta.url))
const body = JSON.stringify({ model: 'simulated-model', messages: [{ role: 'user', content: 'Name a colour.' }], max_tokens: 32 })

// Deterministic faults: every 20th candidate call answers 500, every 100th scoring call answers 500.
const calls = { candidate: 0, candidateFailed: 0, reward: 0, rewardFailed: 0 }
const backend = await startSimulatedBackend({
  faults: ({ call }) => {
    calls.candidate += 1
    if (call % 20 !== 19) return undefined
    calls.candidateFailed += 1
    return { kind: 'http-error', status: 500 }
  },
})
const reward = await startSimulatedRewardServer({
  shape: 'http',
  fault: (_request, index) => {
    calls.reward += 1
    if (index % 100 !== 99) return undefined
    calls.rewardFailed += 1
    return { kind: 'status', status: 500 }
  },
})

console.log(
  `bonbon load bench: ${total} best-of-4 requests, ${concurrency} in flight, node ${process.version}\n` +
    'fan-out parallel (one upstream call per candidate), 5% of candidate calls and 1% of reward calls fail;\n' +
    'retries and deadlines at their defaults, reward.onFailure "first"; SIGKILL right after the last answer.\n',
)
// A first round, not shown, warms this process (upstreams, client, tsx): otherwise whichever mode
// runs first pays for it and looks several seconds slower.
await run('async')
const rows: string[][] = []
for (const durability of ['sync', 'async'] as const) rows.push(await run(durability))
printTable(
  [
    'log.durability',
    'sent',
    '2xx',
    'degraded',
    '4xx',
    '5xx',
    'no answer',
    'records in store',
    'records lost',
    'p50 ms',
    'p99 ms',
    'peak RSS MB',
    'candidate calls (failed)',
    'reward calls (failed)',
  ],
  rows,
)
console.log(
  '\nrecords lost = answered 2xx whose record is not in the store after the crash and a restart.\n' +
    'Failed calls are retried (upstream maxRetries 2, reward maxRetries 1), so few requests end degraded or failed.\n' +
    'async keeps at most maxQueue (10,000) records in memory; in practice what arrived in the last flushIntervalMs (200 ms).',
)
await Promise.all([backend.close(), reward.close()])

async function run(durability: 'sync' | 'async'): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bonbon-load-'))
  const storePath = join(dir, 'bonbon.db')
  const config: BonbonConfigInput = {
    upstream: { kind: 'openai', baseURL: backend.url, fanout: 'parallel' },
    reward: { kind: 'http', url: reward.scoreURL, onFailure: 'first' },
    bestOfN: { n: 4, maxN: 4 },
    log: { kind: 'sqlite', path: storePath, durability },
  }
  const configPath = join(dir, 'bonbon.json')
  await writeFile(configPath, JSON.stringify(config))
  const before = { ...calls }
  try {
    const gateway = await startGateway(configPath)
    const results = await drive(gateway.url)
    const maxRSS = await peakRss(gateway.child)
    gateway.child.kill('SIGKILL')
    await gateway.exited
    const restarted = await startGateway(configPath)
    restarted.child.kill('SIGTERM')
    await restarted.exited

    const store = openSqliteStore(storePath)
    const stored = new Set<string>()
    try {
      for (const record of store.readRecords()) stored.add(record.requestId)
    } finally {
      store.close()
    }
    const count = (test: (status: number) => boolean) => results.filter((result) => test(result.status)).length
    const answered = results.filter((result) => result.status >= 200 && result.status < 300)
    const latencies = answered.map((result) => result.ms).sort((a, b) => a - b)
    const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
    return [
      durability,
      String(results.length),
      String(answered.length),
      String(results.filter((result) => result.degraded).length),
      String(count((status) => status >= 400 && status < 500)),
      String(count((status) => status >= 500)),
      String(count((status) => status === 0)),
      String(stored.size),
      String(answered.filter((result) => result.id === null || !stored.has(result.id)).length),
      quantile(0.5).toFixed(0),
      quantile(0.99).toFixed(0),
      (maxRSS / 1024).toFixed(0),
      `${calls.candidate - before.candidate} (${calls.candidateFailed - before.candidateFailed})`,
      `${calls.reward - before.reward} (${calls.rewardFailed - before.rewardFailed})`,
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

interface Result {
  /** The HTTP status, or 0 when no answer came. */
  readonly status: number
  readonly id: string | null
  readonly degraded: boolean
  readonly ms: number
}

async function drive(url: string): Promise<Result[]> {
  const dispatcher = new Agent({ connections: concurrency, headersTimeout: 300_000, bodyTimeout: 300_000 })
  const results: Result[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1
        const started = performance.now()
        try {
          const response = await request(`${url}/v1/chat/completions`, {
            dispatcher,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
          await response.body.dump()
          const header = (name: string) => {
            const value = response.headers[name]
            return typeof value === 'string' ? value : null
          }
          results.push({
            status: response.statusCode,
            id: header('x-bonbon-request-id'),
            degraded: header('x-bonbon-degraded') !== null,
            ms: performance.now() - started,
          })
        } catch {
          results.push({ status: 0, id: null, degraded: false, ms: performance.now() - started })
        }
      }
    }),
  )
  await dispatcher.close()
  return results
}

async function startGateway(configPath: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', '--config', configPath, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (http:\/\/\S+)\/v1/.exec(line)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    void exited.then(() => reject(new Error('bonbon serve exited before listening')))
  })
  return { child, url, exited }
}

async function peakRss(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => {
      const maxRSS = (message as { maxRSS?: unknown }).maxRSS
      resolve(typeof maxRSS === 'number' ? maxRSS : NaN)
    })
    child.send('rss')
  })
}
