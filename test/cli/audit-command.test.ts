import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRateAuditReport } from '../../src/audit/rate-audit-report-schema.js'
import { runAuditRateCommand, type AuditRateCommandOptions } from '../../src/cli/audit-command.node.js'
import { InvalidOptionsError } from '../../src/errors.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { captureStream, startAuditWorld, worldLines, type AuditWorld } from '../audit/rate-audit-fixture.js'
import { makeRecords } from '../log/preference-record-fixture.js'

const entry = fileURLToPath(new URL('../server/bonbon-cli-entry.ts', import.meta.url))
const root = fileURLToPath(new URL('../../', import.meta.url))

let dir: string
let world: AuditWorld
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bonbon-audit-cli-'))
  world = await startAuditWorld(dir, worldLines(30))
})
afterEach(async () => {
  await world.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `bonbon` as its own process; stdin is a pipe, so there is no terminal. */
function bonbon(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (child.exitCode ?? null), stdout, stderr })
    })
    child.stdin?.end()
  })
}

async function run(options: Partial<AuditRateCommandOptions>) {
  const stdout = captureStream()
  const stderr = captureStream()
  const outcome = await runAuditRateCommand(
    { config: world.configPath, attribute: 'length', source: world.sourcePath, out: join(dir, 'out'), yes: true, ...options },
    { stdout, stderr, stdin: Object.assign(captureStream(), { isTTY: false as const }) as never },
  )
  return { outcome, stdout: stdout.text(), stderr: stderr.text() }
}

describe('bonbon audit rate', () => {
  it('runs end to end as a command and writes the three reports', async () => {
    const out = join(dir, 'cli-out')
    const result = await bonbon(['audit', 'rate', '--config', world.configPath, '--attribute', 'length', '--source', world.sourcePath, '--out', out, '--yes'])
    expect(result.stderr).toContain('calls to make: 60')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('| Naive | ATE |')
    expect(result.stdout).toContain('## Warnings')
    expect(readdirSync(out).sort()).toEqual(['items.jsonl', 'report.html', 'report.json', 'report.md'])
    expect(world.backend.requests).toHaveLength(60)
  }, 60_000)

  it('refuses to pay without --yes when no terminal can confirm, and calls nothing', async () => {
    const result = await bonbon(['audit', 'rate', '--config', world.configPath, '--attribute', 'length', '--source', world.sourcePath, '--out', join(dir, 'x')])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('bonbon: This audit makes 60 paid calls and there is no terminal to confirm them: pass --yes to proceed.')
    expect(world.backend.requests).toHaveLength(0)
    expect(existsSync(join(dir, 'x'))).toBe(false)
  }, 60_000)

  it('refuses a report folder that is a file before making any paid call', async () => {
    const file = join(dir, 'taken')
    writeFileSync(file, 'x')
    await expect(run({ out: file })).rejects.toThrow(`--out ${file} is a file; the reports need a folder.`)
    expect(world.backend.requests).toHaveLength(0)
  })

  it('lists the known attributes for an unknown one', async () => {
    await expect(run({ attribute: 'formality' })).rejects.toThrow('Unknown attribute "formality". Known attributes: length, exclaim')
    expect(world.backend.requests).toHaveLength(0)
  })

  it('names the bad line of a source file', async () => {
    const source = join(dir, 'bad.jsonl')
    writeFileSync(source, '{"prompt": "q", "response": "a"}\n{"prompt": "q", "answer": "a"}\n')
    const failure = run({ source })
    await expect(failure).rejects.toThrow(InvalidOptionsError)
    await expect(failure).rejects.toThrow(/^bad\.jsonl line 2: expected \{"prompt"/)
  })

  it('puts the length threshold at the median of the audited answers unless told otherwise', async () => {
    const source = join(dir, 'five.jsonl')
    const lengths = [40, 100, 160, 220, 280]
    writeFileSync(source, lengths.map((length, index) => `${JSON.stringify({ prompt: `Question ${index}`, response: 'x'.repeat(length) })}\n`).join(''))
    const { stderr } = await run({ source, out: join(dir, 'median') })
    const report = JSON.parse(readFileSync(join(dir, 'median', 'report.json'), 'utf8')) as { audit: { threshold: number } }
    expect(report.audit.threshold).toBe(160)
    expect(parseRateAuditReport(JSON.stringify(report))).toMatchObject({ n1: 2, n0: 3 })
    expect(stderr).toContain('answer longer than 160 characters')

    await run({ source, out: join(dir, 'fixed'), threshold: 50, limit: 4 })
    const fixed = JSON.parse(readFileSync(join(dir, 'fixed', 'report.json'), 'utf8')) as { audit: { threshold: number; items: number } }
    expect(fixed.audit).toMatchObject({ threshold: 50, items: 4 })
  })

  it('fails, saying why, when the classifier can decide no W and so nothing can be estimated', async () => {
    mkdirSync(join(dir, 'undecided'))
    const undecided = await startAuditWorld(join(dir, 'undecided'), worldLines(6), { answer: () => 'It is hard to say.' })
    try {
      const args = ['audit', 'rate', '--config', undecided.configPath, '--attribute', 'exclaim', '--source', undecided.sourcePath]
      const result = await bonbon([...args, '--out', join(dir, 'none'), '--yes'])

      expect(result.stderr).toContain('6 of 6 answers left out: the classifier could not decide their W.')
      expect(result.stderr).toContain('No RATE estimate: it needs answers with W = 1 and with W = 0 whose rewrites were scored (here 0 and 0).')
      expect(result.code).toBe(1)
    } finally {
      await undecided.close()
    }
  }, 60_000)

  it('audits the chosen answers of the store, rewritten by the upstream with the logged model by default', async () => {
    const config = join(dir, 'gateway.json')
    writeFileSync(
      config,
      JSON.stringify({
        upstream: { kind: 'openai', baseURL: world.backend.url },
        reward: { kind: 'http', url: world.reward.scoreURL },
        log: { kind: 'sqlite', path: 'gateway.db' },
      }),
    )
    const sink = createSqliteSink({ path: join(dir, 'gateway.db') })
    const lines = worldLines(8)
    for (const [index, record] of makeRecords(8).entries()) {
      const line = lines[index]
      if (line === undefined) continue
      await sink.write({
        ...record,
        model: 'served-model',
        messages: [{ role: 'user', content: line.prompt }],
        candidates: record.candidates.map((candidate) => ({ ...candidate, text: candidate.index === 0 ? line.response : 'other' })),
        chosen: 0,
      })
    }
    await sink.close()
    const { stdout } = await run({ config, source: undefined, threshold: 150, out: join(dir, 'store') })
    expect(stdout).toContain('| RATE | ATE |')
    expect(world.backend.requests).toHaveLength(16)
    expect(world.backend.requests.every((request) => request.body['model'] === 'served-model')).toBe(true)
    const items = readFileSync(join(dir, 'store', 'items.jsonl'), 'utf8').trim().split('\n')
    expect(items.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(makeRecords(8).map((record) => record.requestId))
  })

  it('refuses a replay reward model, which cannot score rewrites', async () => {
    const config = join(dir, 'replay.json')
    writeFileSync(config, JSON.stringify({ upstream: { kind: 'openai', baseURL: world.backend.url }, reward: { kind: 'replay', file: 'pool.jsonl' } }))
    await expect(run({ config })).rejects.toThrow(/replay pool, which can score only recorded answers/)
  })

  it('says how to resume when stopped, and writes no report', async () => {
    const stop = new AbortController()
    stop.abort(new Error('stop'))
    const stderr = captureStream()
    const outcome = await runAuditRateCommand(
      { config: world.configPath, attribute: 'length', source: world.sourcePath, out: join(dir, 'stopped'), yes: true },
      { stdout: captureStream(), stderr, signal: stop.signal },
    )
    expect(outcome).toEqual({ interrupted: true })
    expect(stderr.text()).toContain('run the same command again to resume')
    expect(existsSync(join(dir, 'stopped'))).toBe(false)
  })
})
