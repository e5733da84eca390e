import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { auditCacheKey, createMemoryAuditCache, type AuditCacheKeyParts } from '../../src/audit/audit-cache.js'
import { openSqliteAuditCache } from '../../src/audit/sqlite-audit-cache.node.js'
import { createLimiter, mapWithConcurrency } from '../../src/audit/concurrency-limit.js'

const parts: AuditCacheKeyParts = {
  kind: 'rewrite',
  model: 'm',
  templateVersion: 'v1',
  attribute: '["length",100]',
  target: false,
  prompt: 'Q?',
  text: 'A long answer.',
}

describe('auditCacheKey', () => {
  it('is the SHA-256 of the parts, and changes with any one of them', async () => {
    const key = await auditCacheKey(parts)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(await auditCacheKey({ ...parts })).toBe(key)
    const variants: Partial<AuditCacheKeyParts>[] = [
      { kind: 'classify' },
      { model: 'n' },
      { templateVersion: 'v2' },
      { attribute: '["length",101]' },
      { target: true },
      { target: null },
      { prompt: 'Q?!' },
      { text: 'A long answer' },
    ]
    const keys = await Promise.all(variants.map((variant) => auditCacheKey({ ...parts, ...variant })))
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1)
  })

  it('does not confuse parts whose concatenations agree', async () => {
    expect(await auditCacheKey({ ...parts, prompt: 'ab', text: 'c' })).not.toBe(await auditCacheKey({ ...parts, prompt: 'a', text: 'bc' }))
  })
})

describe('audit caches', () => {
  let folder: string
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'bonbon-audit-cache-'))
  })
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true })
  })

  it('keep outputs in the store file across processes, first value winning', async () => {
    const path = join(folder, 'bonbon.db')
    const first = openSqliteAuditCache(path)
    await first.set('k1', { kind: 'rewrite', model: 'm', value: 'Short.' })
    await first.set('k1', { kind: 'rewrite', model: 'm', value: 'Other.' })
    first.close()
    const second = openSqliteAuditCache(path)
    expect(await second.get('k1')).toBe('Short.')
    expect(await second.get('k2')).toBeUndefined()
    expect(second.count()).toBe(1)
    second.close()
    second.close()
  })

  it('keep outputs in memory for the process', async () => {
    const cache = createMemoryAuditCache()
    await cache.set('k', { kind: 'classify', model: 'm', value: '{"w": 1}' })
    await cache.set('k', { kind: 'classify', model: 'm', value: '{"w": 0}' })
    expect(await cache.get('k')).toBe('{"w": 1}')
    expect(cache.size).toBe(1)
  })
})

describe('concurrency limits', () => {
  it('never run more than the limit at once, even as tasks finish and arrive', async () => {
    const limit = createLimiter(2)
    let running = 0
    let most = 0
    const releases: (() => void)[] = []
    const task = () =>
      limit(async () => {
        running += 1
        most = Math.max(most, running)
        await new Promise<void>((resolve) => releases.push(resolve))
        running -= 1
      })
    const tasks = [task(), task(), task(), task(), task()]
    for (let step = 0; step < 5; step++) {
      await new Promise((resolve) => setImmediate(resolve))
      releases.shift()?.()
      tasks.push(...(step === 1 ? [task()] : []))
    }
    while (releases.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve))
      releases.shift()?.()
    }
    await Promise.all(tasks)
    expect(most).toBe(2)
  })

  it('start no item after the first failure and rethrow it', async () => {
    const started: number[] = []
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item)
      if (item === 1) throw new Error('item 1 failed')
      return item
    })
    await expect(run).rejects.toThrow('item 1 failed')
    expect(started).toEqual([0, 1, 2])
  })

  it('keep results in item order when items finish out of order', async () => {
    const finished: number[] = []
    let releaseFirst: () => void = () => undefined
    const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve))
    const results = await mapWithConcurrency([30, 10, 20], 3, async (item) => {
      if (item === 30) await firstGate
      finished.push(item)
      if (finished.length === 2) releaseFirst()
      return item * 2
    })
    expect(finished).toEqual([10, 20, 30])
    expect(results).toEqual([60, 20, 40])
  })
})
