/**
 * `npm run demo`: sends every instruction of the shipped sample through a running bonbon gateway
 * with the official `openai` client at n = 1, 2, 4, 8, and prints what best-of-n bought: the judge
 * score of the chosen answer, its win rate against a random candidate of the same pool, and how
 * much longer the chosen answers are than a random one.
 *
 * The gateway is `--url <base URL>`, or `--port <p>` on 127.0.0.1, or BONBON_URL (default
 * http://127.0.0.1:8080/v1, where `npm start` listens); if none answers there, one is started
 * in-process on the same sample.
 */
import OpenAI from 'openai'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createApp } from '../src/app/create-app.node.js'
import { loadConfigFile } from '../src/config/load-config.node.js'
import { parseCandidatePool } from '../src/generate/candidate-pool.js'
import { serve, type RunningServer } from '../src/server/serve.node.js'

const sizes = [1, 2, 4, 8]
const repetitions = Number(process.env['DEMO_REPETITIONS'] ?? 5)
const concurrency = 8
const configPath = fileURLToPath(new URL('./replay-gateway.json', import.meta.url))
const poolPath = fileURLToPath(new URL('./data/alpaca-sample.jsonl', import.meta.url))

interface PoolEntry {
  readonly scores: readonly number[]
  readonly lengths: readonly number[]
  readonly scoreByAnswer: ReadonlyMap<string, number>
}

const pool = parseCandidatePool(await readFile(poolPath, 'utf8'))
const entries = new Map<string, PoolEntry>()
for (const item of pool.items) {
  entries.set(item.instruction, {
    scores: item.candidates.map((candidate) => candidate.judge_preference),
    lengths: item.candidates.map((candidate) => [...candidate.output].length),
    scoreByAnswer: new Map(item.candidates.map((candidate) => [candidate.output, candidate.judge_preference])),
  })
}

const { baseURL, server } = await gateway()
const client = new OpenAI({ baseURL, apiKey: 'unused-by-replay', maxRetries: 0 })
console.log(`bonbon demo: ${entries.size} instructions × ${repetitions} repetitions per n, via ${baseURL}\n`)

const rows: string[][] = []
for (const n of sizes) {
  const jobs = [...entries.keys()].flatMap((instruction, item) =>
    Array.from({ length: repetitions }, (_, repetition) => ({ instruction, seed: repetition * 1_000 + item })),
  )
  const outcomes = await mapLimit(jobs, concurrency, async ({ instruction, seed }) => {
    const completion = await client.chat.completions
      .create({ model: 'replay', messages: [{ role: 'user', content: instruction }], seed }, { headers: { 'x-bonbon-n': String(n) } })
      .catch((error: unknown) => {
        if (error instanceof OpenAI.APIError && error.status === 400) notTheSample(baseURL, error.message)
        throw error
      })
    const answer = completion.choices[0]?.message.content ?? ''
    const entry = entries.get(instruction) as PoolEntry
    const score = entry.scoreByAnswer.get(answer)
    if (score === undefined) notTheSample(baseURL)
    const wins = entry.scores.reduce((sum, other) => sum + (score > other ? 1 : score === other ? 0.5 : 0), 0)
    return {
      score,
      winRate: wins / entry.scores.length,
      length: [...answer].length,
      randomScore: mean(entry.scores),
      randomLength: mean(entry.lengths),
    }
  })
  const chosenLength = mean(outcomes.map((o) => o.length))
  const randomLength = mean(outcomes.map((o) => o.randomLength))
  rows.push([
    String(n),
    mean(outcomes.map((o) => o.score)).toFixed(4),
    mean(outcomes.map((o) => o.randomScore)).toFixed(4),
    mean(outcomes.map((o) => o.winRate)).toFixed(4),
    (n / (n + 1)).toFixed(4),
    chosenLength.toFixed(0),
    randomLength.toFixed(0),
    (chosenLength / randomLength).toFixed(3),
  ])
}

printTable(
  ['n', 'judge score (chosen)', 'judge score (random)', 'win rate vs random', 'n/(n+1)', 'length chosen', 'length random', 'length ratio'],
  rows,
)
console.log('\nwin rate: chance the chosen answer beats a random candidate of the same pool (ties count half);')
console.log('n/(n+1) is its value for continuous rewards. Lengths are in characters (code points).')
await server?.close()

/** The demo only means something over the shipped sample: say so, rather than a stack trace. */
function notTheSample(baseURL: string, detail?: string): never {
  console.error(
    `The gateway at ${baseURL} is not serving the shipped sample${detail === undefined ? '' : ` (${detail})`}.\n` +
      'Start it with `npm start` (examples/replay-gateway.json), or point the demo elsewhere with --url or --port.',
  )
  process.exit(1)
}

function gatewayURL(): string {
  const { values } = parseArgs({ options: { url: { type: 'string' }, port: { type: 'string' } } })
  if (values.url !== undefined) return values.url
  if (values.port !== undefined) return `http://127.0.0.1:${values.port}/v1`
  return process.env['BONBON_URL'] ?? 'http://127.0.0.1:8080/v1'
}

async function gateway(): Promise<{ baseURL: string; server?: RunningServer }> {
  const baseURL = gatewayURL()
  try {
    const health = await fetch(new URL('/healthz', baseURL), { signal: AbortSignal.timeout(2_000) })
    if (health.ok) return { baseURL }
  } catch {
    // Nothing listening: start a gateway of our own below.
  }
  console.log(`No gateway answers at ${baseURL}; starting one in-process on the same sample.`)
  const config = await loadConfigFile(configPath)
  const store = join(await mkdtemp(join(tmpdir(), 'bonbon-demo-')), 'bonbon.db')
  const running = await serve(await createApp({ ...config, log: { kind: 'sqlite', path: store } }), { port: 0 })
  return { baseURL: `${running.url}/v1`, server: running }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((row) => (row[column] ?? '').length)))
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((width) => '-'.repeat(width + 1) + ':').join('|')}|`)
  for (const row of body) console.log(line(row))
}
