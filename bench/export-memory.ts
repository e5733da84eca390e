/**
 * `npx tsx bench/export-memory.ts [records] [format]`: writes `records` synthetic preference records
 * (default 200,000; each with a distinct prompt, so deduplication keeps a fingerprint for every
 * pair, the worst case) into a fresh SQLite log through the real sink, then runs `bonbon export`
 * on it in a fresh child process and prints records/s, the resident set size and the live heap
 * (after a forced GC) as the export goes, to show that memory does not grow with the log. The log
 * and the output live in a temporary folder that is removed at the end.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PassThrough } from 'node:stream'
import { runExport } from '../src/cli/export-command.node.js'
import { exportFormats, isExportFormat, type ExportFormat } from '../src/export/export-format.js'
import type { PreferenceRecord } from '../src/log/preference-record.js'
import { createSqliteSink } from '../src/log/sqlite-sink.node.js'
import { openSqliteStore, type SqliteStore } from '../src/log/sqlite-store.node.js'

const count = Number(process.argv[2] ?? 200_000)
const format = process.argv[3] ?? 'bonbon'
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`records must be a positive integer, got ${process.argv[2]}`)
if (!isExportFormat(format)) throw new Error(`format must be one of ${exportFormats.join(', ')}, got ${format}`)
const exportFormat: ExportFormat = format

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`
const answer = 'A plausible answer of a few hundred characters, as a chat model would write it. '.repeat(4)

function record(i: number): PreferenceRecord {
  return {
    requestId: `req-${i}`,
    createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1_000).toISOString(),
    endpoint: 'chat',
    model: 'bench-model',
    messages: [{ role: 'user', content: `Question number ${i}: explain something in a paragraph.` }],
    params: { temperature: 1, max_tokens: 256 },
    n: 4,
    fanout: 'native',
    rewardModel: 'bench-reward',
    candidates: [0, 1, 2, 3].map((index) => ({
      index,
      text: `${answer}(${i}.${index})`,
      reward: ((i * 7 + index * 13) % 17) / 17 + index,
      finishReason: 'stop',
      completionTokens: 80,
      logprobSum: -40 - index,
      latencyMs: 100,
      error: null,
    })),
    chosen: 3,
    best: 3,
    worst: 0,
    promptTokens: 20,
    completionTokens: 320,
    latencyMs: 400,
    degraded: null,
  }
}


/** The export half, run in its own process so the writing half's heap does not blur the figures. */
async function exportAndMeasure(path: string, out: string): Promise<void> {
  const gc = globalThis.gc ?? (() => {})
  const sample = () => {
    gc()
    const usage = process.memoryUsage()
    return `rss ${mib(usage.rss)} heap ${mib(usage.heapUsed)} external ${mib(usage.external)}`
  }
  const checkpoints = [0, 0.1, 0.25, 0.5, 0.75, 1].map((share) => Math.max(1, Math.floor(share * count)))
  const lines: string[] = [`before: ${sample()}`]
  let pulled = 0
  const countingStore = (storePath: string): SqliteStore => {
    const real = openSqliteStore(storePath)
    return {
      ...real,
      *readRecords(filter) {
        for (const item of real.readRecords(filter)) {
          pulled += 1
          if (pulled === checkpoints[0]) {
            checkpoints.shift()
            lines.push(`${String(Math.round((100 * pulled) / count)).padStart(3)}%: ${sample()}`)
          }
          yield item
        }
      },
    }
  }
  const started = performance.now()
  const summary = await runExport({ config: '', store: path, format: exportFormat, out }, { openStore: countingStore, stderr: new PassThrough() })
  const seconds = (performance.now() - started) / 1_000
  console.log(
    `exported ${summary.read} records as ${format} (${summary.written} lines, ${mib(statSync(out).size)}) in ` +
      `${seconds.toFixed(1)} s: ${Math.round(summary.read / seconds)} records/s (with the GC samples)`,
  )
  for (const line of lines) console.log(`  ${line}`)
  console.log(`  peak RSS of the export process (getrusage): ${mib(process.resourceUsage().maxRSS * 1_024)}`)
  // The table holds 8 bytes per slot and is kept between a quarter and a half full.
  console.log(`  of which the deduplication table: at most ${mib(32 * summary.written)} (${summary.written} distinct pairs)`)
}

async function writeLog(path: string): Promise<void> {
  const started = performance.now()
  const sink = createSqliteSink({ path, batchSize: 1_000 })
  for (let i = 0; i < count; i++) await sink.write(record(i))
  await sink.close()
  const seconds = (performance.now() - started) / 1_000
  console.log(
    `wrote ${count} records in ${seconds.toFixed(1)} s (${Math.round(count / seconds)} records/s), log ${mib(statSync(path).size)}`,
  )
}

const [, , , , mode, childPath, childOut] = process.argv
if (mode === '--export-only' && childPath !== undefined && childOut !== undefined) {
  await exportAndMeasure(childPath, childOut)
} else {
  const folder = mkdtempSync(join(tmpdir(), 'bonbon-bench-export-'))
  try {
    const path = join(folder, 'bonbon.db')
    await writeLog(path)
    const script = fileURLToPath(import.meta.url)
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, '--expose-gc', script, String(count), format, '--export-only', path, join(folder, 'out.jsonl')],
      { stdio: 'inherit' },
    )
    if (child.status !== 0) throw new Error(`the export process failed (status ${child.status})`)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
