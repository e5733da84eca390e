import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { startSimulatedBackend } from '../../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'

const launcher = fileURLToPath(new URL('../../bin/bonbon.js', import.meta.url))
const folder = mkdtempSync(join(tmpdir(), 'bonbon-launcher-'))

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

describe('bin/bonbon.js started with an IPC channel', () => {
  // The launcher re-runs itself on the bundled Node 24 with an IPC channel; when the launcher dies,
  // even by SIGKILL, the channel closes. The server must then stop as on SIGTERM, not live on.
  it('stops like on SIGTERM, draining its log, when the channel to its parent closes', async () => {
    const backend = await startSimulatedBackend()
    const reward = await startSimulatedRewardServer({ shape: 'http' })
    const config = join(folder, 'bonbon.json')
    const store = join(folder, 'bonbon.db')
    writeFileSync(config, JSON.stringify({ upstream: { kind: 'openai', baseURL: backend.url }, reward: { kind: 'http', url: reward.scoreURL }, log: { kind: 'sqlite', path: store } }))
    const child = spawn(process.execPath, [launcher, 'serve', '--config', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    try {
      let output = ''
      const lines = createInterface({ input: child.stdout! })
      const url = await new Promise<string>((resolve) =>
        lines.on('line', (line) => {
          output += `${line}\n`
          const match = /listening on (http:\/\/\S+)\/v1/.exec(line)
          if (match?.[1] !== undefined) resolve(match[1])
        }),
      )
      const answer = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'simulated-model', messages: [{ role: 'user', content: 'Name a colour.' }] }),
      })
      expect(answer.status).toBe(200)
      const requestId = answer.headers.get('x-bonbon-request-id')

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.disconnect()

      expect(await exited).toBe(0)
      expect(output).toContain('SIGTERM received')
      const reader = openSqliteStore(store)
      expect([...reader.readRecords()].map((record) => record.requestId)).toEqual([requestId])
      reader.close()
    } finally {
      child.kill('SIGKILL')
      await Promise.all([backend.close(), reward.close()])
    }
  }, 30_000)
})
