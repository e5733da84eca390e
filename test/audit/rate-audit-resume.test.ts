import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRateAuditSource } from '../../src/audit/rate-audit-source.js'
import { createRateAudit } from '../../src/audit/rate-audit.js'
import { openSqliteAuditCache } from '../../src/audit/sqlite-audit-cache.node.js'
import { createHttpRewardModel } from '../../src/score/http-reward-model.js'
import { exclaimAttribute, startAuditWorld, worldLines, worldLlm, type AuditWorld } from './rate-audit-fixture.js'

let dir: string
let world: AuditWorld | undefined
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bonbon-rate-resume-'))
})
afterEach(async () => {
  await world?.close()
  world = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('an interrupted RATE audit', () => {
  it('resumes from the cache in the store and pays only for the calls it had not made', async () => {
    const stop = new AbortController()
    let answered = 0
    // The "LLM" pulls the plug after its 50th answer, like a person pressing Ctrl-C.
    world = await startAuditWorld(dir, worldLines(40), {
      answer: (input) => {
        if (++answered === 50) stop.abort(new Error('killed midway'))
        return worldLlm(input)
      },
    })
    const { items } = parseRateAuditSource(readFileSync(world.sourcePath, 'utf8'), 'answers.jsonl')
    const options = {
      items,
      attribute: { kind: 'custom' as const, ...exclaimAttribute },
      rewriter: { baseURL: world.backend.url, model: 'simulated-model' },
      rewardModel: createHttpRewardModel({ url: world.reward.scoreURL }),
      concurrency: 4,
    }
    const total = 40 * 5 // 3 classifications and 2 rewrites per item

    const firstCache = openSqliteAuditCache(world.storePath)
    await expect(createRateAudit({ ...options, cache: firstCache }).run({ signal: stop.signal })).rejects.toThrow('killed midway')
    const cachedAfterKill = firstCache.count()
    firstCache.close()
    // At most `concurrency` calls were in flight when it stopped; their answers are lost, the rest kept.
    expect(cachedAfterKill).toBeGreaterThanOrEqual(50 - 4 - 1)
    expect(cachedAfterKill).toBeLessThan(total)

    const secondCache = openSqliteAuditCache(world.storePath)
    // The resumed run sends a key of its own (keys are not part of the cache key), so its calls are
    // told apart from calls of the killed run that reach the server late.
    const resumed = createRateAudit({ ...options, rewriter: { ...options.rewriter, apiKey: 'resumed-run' }, cache: secondCache })
    const plan = await resumed.plan()
    expect(plan.toMake).toBe(total - cachedAfterKill)
    const result = await resumed.run()
    secondCache.close()
    const resumedCalls = world.backend.requests.filter((request) => request.headers['authorization'] === 'Bearer resumed-run')
    expect(resumedCalls).toHaveLength(total - cachedAfterKill)
    expect(result.calls).toEqual({ made: total - cachedAfterKill, cached: cachedAfterKill, failed: 0 })

    // The resumed audit is the audit an uninterrupted run gives.
    const fresh = await createRateAudit(options).run()
    expect(result.report).toEqual(fresh.report)
  })

  it('pays for nothing when the same audit runs again', async () => {
    world = await startAuditWorld(dir, worldLines(12))
    const { items } = parseRateAuditSource(readFileSync(world.sourcePath, 'utf8'), 'answers.jsonl')
    const cache = openSqliteAuditCache(world.storePath)
    const audit = createRateAudit({
      items,
      attribute: { kind: 'length', name: 'length', threshold: 150 },
      rewriter: { baseURL: world.backend.url, model: 'simulated-model' },
      rewardModel: createHttpRewardModel({ url: world.reward.scoreURL }),
      cache,
    })
    expect((await audit.plan()).toMake).toBe(24)
    await audit.run()
    expect(await audit.plan()).toMatchObject({ toMake: 0, rewrites: { needed: 12, cached: 12 }, rewritesOfRewrites: { needed: 12, cached: 12 } })
    await audit.run()
    cache.close()
    expect(world.backend.requests).toHaveLength(24)
    expect(world.reward.requests).toHaveLength(24)
  })
})
