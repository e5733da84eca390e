/**
 * `npm run bench`: requests/s and p50/p99 latency of the simulated backend called directly, of a
 * bare undici pass-through proxy in front of it, and of bonbon at n = 1 and n = 4 (SQLite log on),
 * all in one run, with ratios to the bare proxy. The upstreams run in a child process; the proxy,
 * bonbon and the load generator share this one, whose CPU time per request is reported too: on a
 * shared machine it moves less than requests/s, and the load generator's share is the same for
 * every target.
 *
 * Options (env): BENCH_REQUESTS (per target, default 2000), BENCH_CONCURRENCY (default 16).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Pool, request } from 'undici'
import { createApp } from '../src/app/create-app.node.js'
import { serve } from '../src/server/serve.node.js'
import { printTable } from './print-table.js'

const total = Number(process.env['BENCH_REQUESTS'] ?? 2_000)
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 16)
const warmup = Math.min(200, total)
const body = JSON.stringify({ model: 'simulated-model', messages: [{ role: 'user', content: 'Name a colour.' }], max_tokens: 32 })

const upstreams = await startUpstreams()
const proxy = await startBareProxy(upstreams.urls.backend)
const dir = await mkdtemp(join(tmpdir(), 'bonbon-bench-'))
const bonbon = await serve(
  await createApp(
    {
      upstream: { kind: 'openai', baseURL: upstreams.urls.backend, fanout: 'native' },
      reward: { kind: 'http', url: upstreams.urls.reward },
      log: { kind: 'sqlite', path: join(dir, 'bonbon.db') },
    },
    { env: {} },
  ),
  { port: 0 },
)

const targets: { name: string; url: string; headers: Record<string, string> }[] = [
  { name: 'simulated backend (direct)', url: upstreams.urls.backend, headers: {} },
  { name: 'bare undici proxy', url: `${proxy.url}/v1`, headers: {} },
  { name: 'bonbon n=1', url: `${bonbon.url}/v1`, headers: { 'x-bonbon-n': '1' } },
  { name: 'bonbon n=4', url: `${bonbon.url}/v1`, headers: { 'x-bonbon-n': '4' } },
]
console.log(`bonbon bench: ${total} requests per target, ${concurrency} in flight, node ${process.version}\n`)
const results = []
for (const target of targets) results.push({ name: target.name, ...(await drive(target)) })

const baseline = results[1]
const rows = results.map((result) => [
  result.name,
  result.rps.toFixed(0),
  result.p50.toFixed(2),
  result.p99.toFixed(2),
  result.cpuMicros.toFixed(0),
  baseline ? (result.rps / baseline.rps).toFixed(2) : '',
  baseline ? (result.p50 / baseline.p50).toFixed(2) : '',
  baseline ? (result.cpuMicros / baseline.cpuMicros).toFixed(2) : '',
  String(result.errors),
])
printTable(
  ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s ÷ proxy', 'p50 ÷ proxy', 'CPU ÷ proxy', 'errors'],
  rows,
)
console.log('\nn=4 draws four candidates in one native upstream call, scores them in one reward call and logs the set.')

await bonbon.close()
await new Promise<void>((resolve) => proxy.server.close(() => resolve()))
upstreams.stop()
await rm(dir, { recursive: true, force: true })

async function drive(target: { url: string; headers: Record<string, string> }) {
  const url = new URL(`${target.url}/chat/completions`)
  const pool = new Pool(url.origin, { connections: concurrency })
  const headers = { 'content-type': 'application/json', ...target.headers }
  const once = async () => {
    const response = await pool.request({ method: 'POST', path: url.pathname, headers, body })
    await response.body.text()
    return response.statusCode
  }
  await runMany(warmup, once)
  const latencies: number[] = []
  let errors = 0
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  await runMany(total, async () => {
    const begin = performance.now()
    const status = await once()
    latencies.push(performance.now() - begin)
    if (status !== 200) errors += 1
  })
  const seconds = (performance.now() - started) / 1_000
  // This process only (the load generator and the proxy or bonbon), user and system time.
  const cpu = process.cpuUsage(cpuBefore)
  await pool.close()
  latencies.sort((a, b) => a - b)
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  return { rps: total / seconds, p50: quantile(0.5), p99: quantile(0.99), cpuMicros: (cpu.user + cpu.system) / total, errors }
}

async function runMany(count: number, task: () => Promise<unknown>) {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1
        await task()
      }
    }),
  )
}

async function startUpstreams() {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./upstreams.ts', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`upstreams exited with ${code}`)))
  })
  return { urls: JSON.parse(line) as { backend: string; reward: string }, stop: () => child.stdin.end() }
}

/** The baseline: forwards each request to the backend with undici and streams the answer back. */
async function startBareProxy(backendURL: string) {
  const backend = new URL(backendURL)
  const upstream = new Pool(backend.origin, { connections: 64 })
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const response = await request(`${backend.origin}${incoming.url ?? '/'}`, {
      dispatcher: upstream,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(chunks),
    })
    outgoing.writeHead(response.statusCode, { 'content-type': 'application/json' })
    for await (const chunk of response.body) outgoing.write(chunk)
    outgoing.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
