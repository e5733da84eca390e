import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BonbonConfigInput } from '../../src/config/config-schema.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { startSimulatedBackend, type SimulatedBackend } from '../../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { driveLoad, startGatewayProcess, type GatewayProcess } from './gateway-process.js'

let dir: string
let storePath: string
let backend: SimulatedBackend
let reward: SimulatedRewardServer
const processes: GatewayProcess[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bonbon-crash-'))
  storePath = join(dir, 'bonbon.db')
  backend = await startSimulatedBackend()
  reward = await startSimulatedRewardServer({ shape: 'http' })
})

afterEach(async () => {
  for (const gateway of processes.splice(0)) {
    gateway.child.kill('SIGKILL')
    await gateway.exited
  }
  await Promise.all([backend.close(), reward.close()])
  await rm(dir, { recursive: true, force: true })
})

function config(log: Record<string, unknown>): BonbonConfigInput {
  return {
    upstream: { kind: 'openai', baseURL: backend.url, fanout: 'native' },
    reward: { kind: 'http', url: reward.scoreURL },
    bestOfN: { n: 4 },
    log: { kind: 'sqlite', path: storePath, ...log } as BonbonConfigInput['log'],
  }
}

async function start(log: Record<string, unknown>): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(dir, config(log))
  processes.push(gateway)
  return gateway
}

/** 300 requests, 20 in flight; the gateway is SIGKILLed as soon as 150 have been answered. */
async function killUnderLoad(gateway: GatewayProcess): Promise<string[]> {
  const { answered } = await driveLoad({
    url: gateway.url,
    total: 300,
    concurrency: 20,
    stopAfter: (count) => {
      if (count < 150) return false
      gateway.child.kill('SIGKILL')
      return true
    },
  })
  expect(await gateway.exited).toMatchObject({ signal: 'SIGKILL' })
  return answered
}

function storedIds(): Set<string> {
  const store = openSqliteStore(storePath)
  try {
    return new Set([...store.readRecords()].map((record) => record.requestId))
  } finally {
    store.close()
  }
}

describe('bonbon serve killed with SIGKILL under load', () => {
  it("keeps the record of every answered request in sync mode, found after a restart", { timeout: 90_000 }, async () => {
    // A long flush interval: only sync durability can have committed these records in time.
    const log = { durability: 'sync', flushIntervalMs: 60_000 }
    const answered = await killUnderLoad(await start(log))
    await start(log)
    const stored = storedIds()
    expect(answered.length).toBeGreaterThanOrEqual(150)
    expect(answered.filter((id) => !stored.has(id))).toEqual([])
  })

  it('loses at most maxQueue answered records in async mode, the documented bound', { timeout: 90_000 }, async () => {
    // The worst case for the bound: batches only when maxQueue records are queued, never on the interval.
    const log = { durability: 'async', batchSize: 50, maxQueue: 50, flushIntervalMs: 60_000 }
    const answered = await killUnderLoad(await start(log))
    await start(log)
    const stored = storedIds()
    const lost = answered.filter((id) => !stored.has(id))
    console.log(`async mode: ${answered.length} answered before SIGKILL, ${lost.length} records lost (bound: maxQueue = 50)`)
    expect(lost.length).toBeLessThanOrEqual(50)
    expect(stored.size).toBeGreaterThanOrEqual(answered.length - 50)
  })
})
