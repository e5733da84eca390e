import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { runExport } from '../../src/cli/export-command.node.js'
import { main } from '../../src/cli/main.node.js'
import { InvalidOptionsError } from '../../src/errors.js'
import { exportFormats } from '../../src/export/export-format.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { betaStar } from '../../src/select/theory/index.js'
import { lastUserText } from '../../src/util/last-user-text.js'
import { loadSamplePool, replaySample, samplePath } from '../export/alpaca-replay-fixture.js'
import { loadExportSchema } from '../export/json-schema-subset.js'

let folder: string
let store: string
let records: PreferenceRecord[]
let stderr: string[]

const pool = loadSamplePool()

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-export-'))
  store = join(folder, 'log', 'bonbon.db')
  // 40 instructions × 2 requests at n = 4: some requests draw the same best and worst twice.
  records = await replaySample({ path: store, sizes: [4], repetitions: 2 })
})

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

beforeEach(() => {
  stderr = []
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk))
    return true
  })
})

afterEach(() => {
  vi.restoreAllMocks()
})

function readLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line): unknown => JSON.parse(line))
}

/** The pairs an export must contain, worked out from the records independently of src/export. */
function expectedPairs(): Array<{ prompt: string; chosen: string; rejected: string }> {
  const seen = new Set<string>()
  const pairs = []
  for (const record of records) {
    const scored = record.candidates.filter((candidate) => candidate.reward !== null)
    const rewards = scored.map((candidate) => candidate.reward as number)
    const best = scored.find((candidate) => candidate.reward === Math.max(...rewards))
    const worst = scored.findLast((candidate) => candidate.reward === Math.min(...rewards))
    if (!best || !worst || best.reward === worst.reward || best.text === worst.text) continue
    const pair = { prompt: lastUserText(record.messages), chosen: best.text, rejected: worst.text }
    const key = JSON.stringify(pair)
    if (!seen.has(key)) pairs.push(pair)
    seen.add(key)
  }
  return pairs
}

describe('bonbon export', () => {
  it('round-trips the replayed sample: every format validates and carries the judge-preferred pairs', async () => {
    const expected = expectedPairs()
    expect(expected.length).toBeGreaterThan(40)
    expect(expected.length).toBeLessThan(records.length)
    for (const format of exportFormats) {
      const out = join(folder, `pairs.${format}.jsonl`)
      await main(['export', '--store', store, '--format', format, '--out', out])
      const validate = loadExportSchema(format)
      const lines = readLines(out)
      for (const line of lines) expect(validate(line)).toEqual([])
      expect(lines).toHaveLength(format === 'jsonl' ? records.length : expected.length)
    }
    const trl = readLines(join(folder, 'pairs.trl.jsonl')) as Array<{ prompt: Array<{ content: string }>; chosen: [{ content: string }]; rejected: [{ content: string }] }>
    expect(trl.map((line) => ({ prompt: line.prompt[0]?.content, chosen: line.chosen[0].content, rejected: line.rejected[0].content }))).toEqual(expected)
    for (const { prompt, chosen, rejected } of expected) {
      expect(pool.rewardOf(prompt, chosen)).toBeGreaterThan(pool.rewardOf(prompt, rejected) as number)
    }
    const bonbon = readLines(join(folder, 'pairs.bonbon.jsonl')) as Array<Record<string, unknown>>
    expect(bonbon.every((line) => line['n'] === 4 && line['beta_n'] === betaStar(4) && line['temperature'] === 1)).toBe(true)
    expect(bonbon.every((line) => line['reference_logprob_best'] === null)).toBe(true)
    expect(readLines(join(folder, 'pairs.jsonl.jsonl'))).toEqual(records)
    expect(stderr.join('')).toContain(
      `bonbon export: ${records.length} records read, ${expected.length} written → ${join(folder, 'pairs.trl.jsonl')}`,
    )
  })

  it('reads JSONL records (an R2 export, or a jsonl export) as the source', async () => {
    const raw = join(folder, 'records.jsonl')
    await main(['export', '--store', store, '--format', 'jsonl', '--out', raw])
    const fromStore = join(folder, 'from-store.trl.jsonl')
    const fromJsonl = join(folder, 'from-jsonl.trl.jsonl')
    await main(['export', '--store', store, '--format', 'trl', '--out', fromStore])
    await main(['export', '--store', raw, '--format', 'trl', '--out', fromJsonl])
    expect(readLines(fromJsonl)).toEqual(readLines(fromStore))
    expect(readLines(fromJsonl).length).toBeGreaterThan(0)
  })

  it('summarises records read, written, skipped by reason and duplicates on stderr', async () => {
    const out = join(folder, 'summary.jsonl')
    const summary = await runExport({ config: '', store, format: 'openai', out }, { stderr: collectingStream(false).stream })
    const ties = summary.skipped.tie
    expect(summary.read).toBe(records.length)
    expect(summary.written + ties + summary.duplicates + summary.skipped.noPair).toBe(records.length)
    expect(summary.duplicates).toBeGreaterThan(0)
  })

  it('reads the store named in the configuration, resolved against its folder', async () => {
    const config = join(folder, 'gateway.json')
    writeFileSync(
      config,
      JSON.stringify({
        upstream: { kind: 'replay', file: samplePath },
        reward: { kind: 'replay', file: samplePath },
        log: { kind: 'sqlite', path: 'log/bonbon.db' },
      }),
    )
    const viaConfig = join(folder, 'via-config.jsonl')
    await main(['export', '--config', config, '--format', 'jsonl', '--out', viaConfig])
    expect(readLines(viaConfig)).toHaveLength(records.length)

    const none = join(folder, 'no-log.json')
    writeFileSync(none, JSON.stringify({ upstream: { kind: 'replay', file: samplePath }, reward: { kind: 'replay', file: samplePath }, log: { kind: 'none' } }))
    await expect(runExport({ config: none, format: 'trl', out: join(folder, 'x.jsonl') })).rejects.toThrow(
      /keeps no SQLite log; pass --store/,
    )
  })

  it('splits by prompt hash into .train.jsonl and .test.jsonl, the same way on every run', async () => {
    const whole = join(folder, 'whole.jsonl')
    await main(['export', '--store', store, '--format', 'trl', '--out', whole])
    await main(['export', '--store', store, '--format', 'trl', '--out', join(folder, 'split.jsonl'), '--split', '0.9'])
    const train = readFileSync(join(folder, 'split.train.jsonl'), 'utf8')
    const test = readFileSync(join(folder, 'split.test.jsonl'), 'utf8')
    await main(['export', '--store', store, '--format', 'trl', '--out', join(folder, 'again.jsonl'), '--split', '0.9'])
    expect(readFileSync(join(folder, 'again.train.jsonl'), 'utf8')).toBe(train)
    expect(readFileSync(join(folder, 'again.test.jsonl'), 'utf8')).toBe(test)

    const lines = (text: string) => text.split('\n').filter((line) => line !== '')
    expect([...lines(train), ...lines(test)].sort()).toEqual(lines(readFileSync(whole, 'utf8')).sort())
    const prompts = (text: string) => new Set(lines(text).map((line) => JSON.stringify(JSON.parse(line).prompt)))
    const trainPrompts = prompts(train)
    expect([...prompts(test)].filter((prompt) => trainPrompts.has(prompt))).toEqual([])
    expect(lines(test).length).toBeGreaterThan(0)
    expect(stderr.join('')).toMatch(/\(train \d+ → .*split\.train\.jsonl, test \d+ → .*split\.test\.jsonl\)/)
  })

  it('filters by time, model, scored count and reward margin', async () => {
    const out = join(folder, 'filtered.jsonl')
    const since = records[10]!.createdAt
    const until = records[20]!.createdAt
    await main(['export', '--store', store, '--format', 'jsonl', '--out', out, '--since', since, '--until', until])
    expect(readLines(out)).toEqual(records.slice(10, 20))
    await main(['export', '--store', store, '--format', 'jsonl', '--out', out, '--model', 'someone-else'])
    expect(readLines(out)).toEqual([])
    await main(['export', '--store', store, '--format', 'jsonl', '--out', out, '--min-n', '5'])
    expect(readLines(out)).toEqual([])

    await main(['export', '--store', store, '--format', 'bonbon', '--out', out, '--min-margin', '0.5'])
    const kept = readLines(out) as Array<{ rewards: number[] }>
    const margin = (rewards: number[]) => Math.max(...rewards) - Math.min(...rewards)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.every((line) => margin(line.rewards) >= 0.5)).toBe(true)
    expect(kept.length).toBe(expectedPairs().filter(({ prompt, chosen, rejected }) => (pool.rewardOf(prompt, chosen) as number) - (pool.rewardOf(prompt, rejected) as number) >= 0.5).length)
  })

  it('writes to stdout with --out - and refuses --split there', async () => {
    const stdout = collectingStream(false)
    await runExport({ config: '', store, format: 'trl', trlStyle: 'standard', out: '-' }, { stdout: stdout.stream, stderr: collectingStream(false).stream })
    const lines = stdout.text().split('\n').filter((line) => line !== '')
    expect(lines).toHaveLength(expectedPairs().length)
    expect(lines.map((line): unknown => JSON.parse(line))).toEqual(expectedPairs())
    await expect(runExport({ config: '', store, format: 'trl', out: '-', split: 0.9 })).rejects.toThrow(/--split writes two files/)
  })

  it('refuses contradictory options and a store that does not exist, with the reason', async () => {
    const out = join(folder, 'never.jsonl')
    const attempts = [
      { options: { format: 'openai' as const, trlStyle: 'standard' as const }, message: /--trl-style applies to --format trl/ },
      { options: { format: 'jsonl' as const, minMargin: 0.1 }, message: /--min-margin applies to pair formats/ },
      { options: { format: 'trl' as const, store: join(folder, 'missing.db') }, message: /No preference log at/ },
    ]
    for (const { options, message } of attempts) {
      const attempt = runExport({ config: '', store, out, ...options })
      await expect(attempt).rejects.toThrow(message)
      await expect(attempt).rejects.toSatisfy(InvalidOptionsError.isInstance)
    }
  })

  it('draws a progress bar on a terminal and stays quiet otherwise, apart from the summary', async () => {
    const out = join(folder, 'progress.jsonl')
    const terminal = collectingStream(true)
    await runExport({ config: '', store, format: 'bonbon', out }, { stderr: terminal.stream })
    expect(terminal.text()).toContain(`bonbon export [`)
    expect(terminal.text()).toContain(`| ${records.length}/${records.length} records`)
    const pipe = collectingStream(false)
    await runExport({ config: '', store, format: 'bonbon', out }, { stderr: pipe.stream })
    expect(pipe.text().split('\n')).toEqual([expect.stringMatching(/^bonbon export: \d+ records read, \d+ written/), ''])
  })
})

/** A stream that keeps what is written to it, posing as a terminal or a pipe. */
function collectingStream(isTTY: boolean) {
  const chunks: Buffer[] = []
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 })
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}
