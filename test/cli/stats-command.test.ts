import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.node.js'
import { runStats } from '../../src/cli/stats-command.node.js'
import { replaySample } from '../export/alpaca-replay-fixture.js'

let folder: string
let store: string

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'bonbon-stats-'))
  store = join(folder, 'bonbon.db')
  // The sample's judge preferences are continuous (14 tied pairs among 9,240); rounded to one
  // decimal they tie often: the same answers seen by a coarse judge.
  await replaySample({ path: store, sizes: [2, 4, 8], repetitions: 3 })
  await replaySample({ path: store, sizes: [2, 4, 8], repetitions: 3, model: 'coarse-judge', roundRewardsTo: 1 })
})

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

afterEach(() => {
  vi.restoreAllMocks()
})

function collect() {
  const chunks: Buffer[] = []
  const stream = new PassThrough()
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

describe('bonbon stats', () => {
  it('finds the realised win rate at n/(n+1) where the rewards are continuous', async () => {
    const report = await runStats({ config: '', store, json: true }, { stdout: collect().stream })
    const continuous = report.groups.filter((group) => group.model === 'replay')
    expect(continuous.map((group) => [group.n, group.requests])).toEqual([
      [2, 120],
      [4, 120],
      [8, 120],
    ])
    for (const group of continuous) {
      expect(Math.abs((group.winRate as number) - group.n / (group.n + 1))).toBeLessThan(0.005)
      expect(group.tiedPairShare).toBeLessThan(0.01)
    }
  })

  it('shows ties pulling the win rate down, and says by how much and how often pairs tie', async () => {
    const report = await runStats({ config: '', store, json: true }, { stdout: collect().stream })
    const coarse = report.groups.filter((group) => group.model === 'coarse-judge')
    expect(coarse).toHaveLength(3)
    for (const group of coarse) {
      expect(group.expectedWinRate - (group.winRate as number)).toBeGreaterThan(0.02)
      expect(group.tiedPairShare).toBeGreaterThan(0.3)
      const note = report.notes.find((line) => line.startsWith(`coarse-judge n=${group.n}:`))
      expect(note).toContain(`ties cost ${((group.expectedWithoutTies as number) - (group.winRate as number)).toFixed(4)}`)
      expect(note).toContain(`${((group.tiedPairShare as number) * 100).toFixed(1)}% of candidate pairs tie`)
    }
    expect(report.notes.some((line) => line.startsWith('replay n='))).toBe(false)
  })

  it('finds the chosen answers longer than a random candidate, growing with n, with an interval', async () => {
    const report = await runStats({ config: '', store, json: true }, { stdout: collect().stream })
    const drifts = report.groups.filter((group) => group.model === 'replay').map((group) => group.lengthDrift)
    for (const drift of drifts) {
      expect(drift.ci?.[0]).toBeGreaterThan(1)
      expect(drift.ci?.[0]).toBeLessThan(drift.estimate as number)
      expect(drift.ci?.[1]).toBeGreaterThan(drift.estimate as number)
    }
    expect((drifts[2]?.estimate as number) > (drifts[0]?.estimate as number)).toBe(true)
  })

  it('prints a table for people through the command line, and JSON with --json', async () => {
    const written: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    await main(['stats', '--store', store])
    const table = written.join('')
    expect(table).toContain(`bonbon stats: 720 records in ${store}`)
    expect(table).toMatch(/^replay\s+4\s+120\s+0\.8\d{3}\s+0\.8000\s+0\.87\d{2}\s/m)
    expect(table).toMatch(/^\* win rate: the chosen answer against a fresh draw from the base policy/m)
    expect(table).toMatch(/^\* coarse-judge n=2: win rate 0\.\d{4} is 0\.\d{4} below n\/\(n\+1\) = 0\.6667: ties cost/m)

    written.length = 0
    await main(['stats', '--store', store, '--json'])
    const json: unknown = JSON.parse(written.join(''))
    expect(json).toMatchObject({ store, records: 720, groups: expect.any(Array), notes: expect.any(Array) })
  })
})
