import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { startSimulatedBackend, type SimulatedBackend } from '../../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'
import { driveLoad, startGatewayProcess, type GatewayProcess } from './gateway-process.js'

let dir: string
let storePath: string
let backend: SimulatedBackend
let reward: SimulatedRewardServer
let gateway: GatewayProcess | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bonbon-sigterm-'))
  storePath = join(dir, 'bonbon.db')
  // Slow enough answers that requests are still in flight when SIGTERM arrives.
  backend = await startSimulatedBackend({ tokenLatencyMs: 5 })
  reward = await startSimulatedRewardServer({ shape: 'http' })
})

afterEach(async () => {
  if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL')
  await gateway?.exited
  await Promise.all([backend.close(), reward.close()])
  await rm(dir, { recursive: true, force: true })
})

describe('bonbon serve on SIGTERM', () => {
  it('finishes the requests in flight, drains the log queue into the store and exits 0', { timeout: 60_000 }, async () => {
    gateway = await startGatewayProcess(dir, {
      upstream: { kind: 'openai', baseURL: backend.url, fanout: 'native' },
      reward: { kind: 'http', url: reward.scoreURL },
      // Nothing would reach the store for a minute (or 1000 records) but for the drain.
      log: { kind: 'sqlite', path: storePath, batchSize: 1_000, flushIntervalMs: 60_000 },
    })
    const running = gateway
    let terminated = false
    const { answered } = await driveLoad({
      url: running.url,
      total: 60,
      concurrency: 20,
      stopAfter: (count) => {
        if (count < 20) return false
        // Once: a second SIGTERM is the operator's "stop now", which skips the drain.
        if (!terminated) running.child.kill('SIGTERM')
        terminated = true
        return true
      },
    })
    expect(await running.exited).toEqual({ code: 0, signal: null })
    expect(running.output()).toMatch(/SIGTERM received/)
    // The requests in flight at SIGTERM were answered too, not cut off.
    expect(answered.length).toBeGreaterThan(20)
    const store = openSqliteStore(storePath)
    try {
      const stored = new Set([...store.readRecords()].map((record) => record.requestId))
      expect(answered.filter((id) => !stored.has(id))).toEqual([])
    } finally {
      store.close()
    }
  })

  it('takes the same signal twice in a row, as a process group delivers it to launcher and server, as one stop', { timeout: 60_000 }, async () => {
    gateway = await startGatewayProcess(dir, {
      upstream: { kind: 'openai', baseURL: backend.url, fanout: 'native' },
      reward: { kind: 'http', url: reward.scoreURL },
      log: { kind: 'sqlite', path: storePath },
    })
    const running = gateway
    let terminated = false
    const { answered, failed } = await driveLoad({
      url: running.url,
      total: 40,
      concurrency: 20,
      stopAfter: (count) => {
        if (count < 10) return false
        if (!terminated) {
          running.child.kill('SIGINT')
          running.child.kill('SIGINT')
        }
        terminated = true
        return true
      },
    })
    expect(await running.exited).toEqual({ code: 0, signal: null })
    expect(running.output()).toMatch(/SIGINT received/)
    // Taken as one stop: the requests in flight finish rather than being cut. (A request racing the
    // close of an idle keep-alive connection may still fail, as in any graceful shutdown.)
    expect(running.output()).not.toMatch(/again: cutting/)
    expect(answered.length).toBeGreaterThan(failed)
    expect(answered.length).toBeGreaterThan(10)
  })
})
