import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { makeRecords } from '../log/preference-record-fixture.js'

const entry = fileURLToPath(new URL('../server/bonbon-cli-entry.ts', import.meta.url))
let folder: string

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-cli-'))
})

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `bonbon` from source in its own process; `firstChunkOnly` hangs up its stdout after one read. */
function bonbon(args: readonly string[], options: { firstChunkOnly?: boolean } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (options.firstChunkOnly) child.stdout.destroy()
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the bonbon command line', () => {
  it('prints its version', async () => {
    const run = await bonbon(['--version'])
    expect(run.code).toBe(0)
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(run.stdout.trim()).toBe(manifest.version)
  })

  it('names a missing replay pool in one line, without a stack', async () => {
    const config = join(folder, 'missing-pool.json')
    writeFileSync(config, JSON.stringify({ upstream: { kind: 'replay', file: 'nope.jsonl' }, reward: { kind: 'replay', file: 'nope.jsonl' }, log: { kind: 'none' } }))

    const run = await bonbon(['serve', '--config', config, '--port', '0'])

    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(`bonbon: Cannot read the candidate pool ${join(folder, 'nope.jsonl')}: no such file`)
  })

  it('names a missing replay reward pool at start-up, not in every answer', async () => {
    const pool = join(folder, 'pool.jsonl')
    writeFileSync(pool, `${JSON.stringify({ id: 1, instruction: 'Hi?', candidates: [{ generator: 'g', output: 'Hello.', judge_preference: 0.5 }] })}\n`)
    const config = join(folder, 'missing-reward-pool.json')
    writeFileSync(config, JSON.stringify({ upstream: { kind: 'replay', file: 'pool.jsonl' }, reward: { kind: 'replay', file: 'gone.jsonl' }, log: { kind: 'none' } }))

    const run = await bonbon(['serve', '--config', config, '--port', '0'])

    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(`bonbon: Cannot read the candidate pool ${join(folder, 'gone.jsonl')}: no such file`)
  })

  it('answers a mistyped option with the error and a hint, not the whole help', async () => {
    const run = await bonbon(['export', '--format', 'trl', '--out', '-', '--sinse', '2025-01-01'])

    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("unknown option '--sinse'")
    expect(run.stderr).toContain('(run with --help for usage)')
    expect(run.stderr).not.toContain('Options:')
  })

  it('refuses an output that is a folder, and a store that is not a database, in one line each', async () => {
    const notADatabase = join(folder, 'notes.db')
    writeFileSync(notADatabase, 'not a database\n')

    const empty = join(folder, 'empty.db')
    await createSqliteSink({ path: empty }).close()
    const intoFolder = await bonbon(['export', '--store', empty, '--format', 'jsonl', '--out', folder])
    const fromText = await bonbon(['stats', '--store', notADatabase])

    expect(intoFolder.code).toBe(2)
    expect(fromText.code).toBe(2)
    expect(fromText.stderr.trim()).toBe(`bonbon: ${notADatabase} is not a SQLite database, so it cannot be a preference log.`)
    expect(intoFolder.stderr.trim()).toBe(`bonbon: --out ${folder} is a folder; give a file name in it, e.g. ${join(folder, 'pairs.jsonl')}.`)
    for (const run of [intoFolder, fromText]) expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses a folder as the file of a split export rather than writing hidden files in it', async () => {
    const empty = join(folder, 'empty-split.db')
    await createSqliteSink({ path: empty }).close()

    const run = await bonbon(['export', '--store', empty, '--format', 'trl', '--out', `${folder}/`, '--split', '0.9'])

    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(`bonbon: --out ${folder}/ is a folder; give a file name in it, e.g. ${join(folder, 'pairs.jsonl')}.`)
  })

  it('refuses to export a store onto itself, which would truncate the log it reads', async () => {
    const store = join(folder, 'precious.db')
    const sink = createSqliteSink({ path: store })
    for (const [i, record] of makeRecords(3).entries()) await sink.write({ ...record, requestId: `keep-${i}` })
    await sink.close()

    const run = await bonbon(['export', '--store', store, '--format', 'trl', '--out', join(folder, '.', 'precious.db')])

    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(`bonbon: --out ${join(folder, 'precious.db')} is the store being exported (or one of its files); write elsewhere.`)
    const reader = openSqliteStore(store)
    expect([...reader.readRecords()]).toHaveLength(3)
    reader.close()
  })

  it('says a damaged store could not be read, without a stack', async () => {
    const store = join(folder, 'damaged.db')
    const sink = createSqliteSink({ path: store })
    for (const [i, record] of makeRecords(400).entries()) await sink.write({ ...record, requestId: `r-${i}`, messages: [{ role: 'user', content: 'x'.repeat(400) }] })
    await sink.close()
    // Overwrite pages past the header: the file still opens, and reading it fails.
    const bytes = readFileSync(store)
    bytes.fill(0x5a, 8_192, bytes.length - 4_096)
    writeFileSync(store, bytes)

    const run = await bonbon(['stats', '--store', store])

    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^bonbon: the store could not be read: /)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it.each(['99999', '1', 'yesterday'])('refuses --since %s, which is no ISO 8601 date', async (since) => {
    const run = await bonbon(['export', '--store', join(folder, 'any.db'), '--format', 'trl', '--out', '-', '--since', since])
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain(`option '--since <time>' argument '${since}' is invalid. must be a date or time, ISO 8601`)
  })

  it('refuses a shutdown grace that is not a number of milliseconds', async () => {
    const run = await bonbon(['serve', '--shutdown-grace', 'abc', '--port', '0'])

    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("option '--shutdown-grace <ms>' argument 'abc' is invalid. must be a whole number of milliseconds")
  })

  it('stops quietly when the reader of `--out -` hangs up, as `| head` does', async () => {
    const store = join(folder, 'big.db')
    const sink = createSqliteSink({ path: store, batchSize: 500 })
    for (const [i, record] of makeRecords(2_000).entries()) {
      await sink.write({ ...record, requestId: `req-${i}`, messages: [{ role: 'user', content: `question ${i}` }] })
    }
    await sink.close()

    const run = await bonbon(['export', '--store', store, '--format', 'jsonl', '--out', '-'], { firstChunkOnly: true })

    expect(run.stdout.length).toBeGreaterThan(0)
    expect(run.stderr).not.toContain('EPIPE')
    expect(run.code).toBe(0)
  })
})
