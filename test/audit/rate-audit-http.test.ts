import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryAuditCache } from '../../src/audit/audit-cache.js'
import { parseRateAuditReport } from '../../src/audit/rate-audit-report-schema.js'
import { parseRateAuditSource } from '../../src/audit/rate-audit-source.js'
import { runRateAudit } from '../../src/audit/rate-audit.js'
import { runAuditRateCommand } from '../../src/cli/audit-command.node.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import {
  captureStream,
  exclaimAttribute,
  exclaimEffect,
  lengthEffect,
  startAuditWorld,
  worldLines,
  worldThreshold,
  type AuditWorld,
} from './rate-audit-fixture.js'

let dir: string
let world: AuditWorld | undefined
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bonbon-rate-http-'))
})
afterEach(async () => {
  await world?.close()
  world = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('RATE audit through real HTTP (simulated rewriter, classifier and reward model)', () => {
  it('recovers the reward paid for length where naive and single-rewrite estimates miss it, and writes the reports', async () => {
    world = await startAuditWorld(dir, worldLines(80))
    const stdout = captureStream()
    const stderr = captureStream()
    const out = join(dir, 'report')
    await runAuditRateCommand(
      { config: world.configPath, attribute: 'length', source: world.sourcePath, threshold: worldThreshold, out, yes: true },
      { stdout, stderr },
    )
    const report = parseRateAuditReport(readFileSync(join(out, 'report.json'), 'utf8'))
    const ate = report.rate.ate
    expect(Math.abs((ate.estimate ?? Number.NaN) - lengthEffect)).toBeLessThan(0.1)
    expect(ate.ci?.[0]).toBeLessThanOrEqual(lengthEffect)
    expect(ate.ci?.[1]).toBeGreaterThanOrEqual(lengthEffect)
    // Quality drives both length and reward, and every rewrite carries a rewarded artifact.
    expect(report.naive.ci?.[0]).toBeGreaterThan(lengthEffect)
    expect(report.singleRewrite.att.ci?.[1]).toBeLessThan(lengthEffect)
    expect(report.singleRewrite.atu.ci?.[0]).toBeGreaterThan(lengthEffect)
    expect(report.diagnostics.flips.toW0.rewrite?.share).toBe(1)
    expect(report.diagnostics.flips.toW1.rewrite?.share).toBe(1)
    expect(report.n1 + report.n0).toBe(80)
    for (const file of ['report.json', 'report.md', 'report.html', 'items.jsonl']) expect(existsSync(join(out, file))).toBe(true)
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<canvas id="rate-chart"')
    expect(readFileSync(join(out, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(80)
    expect(stdout.text()).toMatch(/\| RATE \| ATE \| (0\.9|1\.0)\d* \|/)
    expect(stdout.text()).toContain(`Reports written to ${out}/`)
    expect(stderr.text()).toContain('calls to make: 160')
    // Two chat calls per item (rewrite, rewrite of the rewrite), one batched scoring call of three answers.
    expect(world.backend.requests).toHaveLength(160)
    expect(world.reward.requests).toHaveLength(80)
    expect(world.reward.requests.every((request) => (request.body as { candidates: unknown[] }).candidates.length === 3)).toBe(true)
  })

  it('labels a custom attribute with the classifier and recovers its reward', async () => {
    world = await startAuditWorld(dir, worldLines(60))
    const { items } = parseRateAuditSource(readFileSync(world.sourcePath, 'utf8'), 'answers.jsonl')
    const result = await runRateAudit({
      items,
      attribute: { kind: 'custom', ...exclaimAttribute },
      rewriter: { baseURL: world.backend.url, model: 'simulated-model' },
      rewardModel: createHttpRewardModel({ url: world.reward.scoreURL }),
      cache: createMemoryAuditCache(),
    })
    const { report } = result
    expect(Math.abs((report.rate.ate.estimate ?? Number.NaN) - exclaimEffect)).toBeLessThan(0.1)
    expect(report.naive.estimate).toBeGreaterThan(exclaimEffect + 0.3)
    expect(report.n1).toBe(items.filter((item) => item.response.endsWith('!')).length)
    expect(report.diagnostics.flips.toW1.rewriteOfRewrite?.labelled).toBe(report.n1)
    // Three classifications (original, rewrite, rewrite of rewrite) and two rewrites per item.
    expect(result.calls).toEqual({ made: 300, cached: 0, failed: 0 })
    const classifications = world.backend.requests.filter((request) => JSON.stringify(request.body).includes('Classify'))
    expect(classifications).toHaveLength(180)
    expect(classifications[0]?.body).toMatchObject({ model: 'simulated-model', temperature: 0 })
  })
})
