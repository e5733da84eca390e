import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { formatAccessLogEntry, type AccessLogEntry } from '../../src/app/access-log.js'
import { createApp } from '../../src/app/create-app.node.js'
import { serve } from '../../src/server/serve.node.js'

const entry: AccessLogEntry = {
  method: 'POST',
  path: '/v1/chat/completions',
  status: 200,
  ms: 812.4,
  requestId: 'req-1',
  n: '4',
  chosen: '2',
  degraded: undefined,
  error: undefined,
}

describe('the access log', () => {
  it('prints one line per request', () => {
    expect(formatAccessLogEntry(entry)).toBe('POST /v1/chat/completions 200 812ms n=4 chosen=2 id=req-1')
  })

  it('escapes the newlines a client puts in its path or body, so it cannot forge a line', () => {
    const line = formatAccessLogEntry({
      ...entry,
      path: '/v1/foo\nPOST /v1/chat/completions 200 1ms id=FORGED',
      error: 'bad key "a\r\nPOST /v1/chat/completions 200 5ms id=FORGED"',
    })

    expect(line.split('\n')).toHaveLength(1)
    expect(line).toContain('/v1/foo\\nPOST /v1/chat/completions 200 1ms id=FORGED')
    expect(line).toContain('bad key "a\\r\\nPOST')
  })

  it('cuts a client-sized field short', () => {
    const line = formatAccessLogEntry({ ...entry, path: `/v1/${'x'.repeat(100_000)}` })

    expect(line.length).toBeLessThan(700)
    expect(line).toContain('(99492 more)')
  })
})

/** A gateway on loopback whose access-log lines are collected; nothing is behind it, no request needs it. */
async function startLoggedGateway() {
  const lines: string[] = []
  const app = await createApp(
    { upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1' }, reward: { kind: 'http', url: 'http://127.0.0.1:9/score' }, log: { kind: 'none' } },
    { env: {}, accessLog: (logged) => lines.push(formatAccessLogEntry(logged)) },
  )
  return { lines, server: await serve(app, { port: 0 }) }
}

describe('the access log of a running gateway', () => {
  it('keeps a request for a path with an encoded newline on one line', async () => {
    const { lines, server } = await startLoggedGateway()
    try {
      const answer = await fetch(`${server.url}/v1/foo%0aPOST%20/v1/chat/completions%20200%201ms%20id=FORGED`)
      expect(answer.status).toBe(404)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^GET \/v1\/foo\\nPOST .* 404 \d+ms/)
    } finally {
      await server.close()
    }
  })

  it('logs a client that hangs up mid-upload as its own 400, not a server 500', async () => {
    const { lines, server } = await startLoggedGateway()
    try {
      for (const framing of ['Content-Length: 100', 'Transfer-Encoding: chunked']) {
        const socket = connect(server.port, '127.0.0.1')
        await new Promise((resolve) => socket.once('connect', resolve))
        const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`
        socket.write(`${head}${framing.startsWith('Content') ? '{"model":' : 'a\r\n{"model":1\r\n'}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
        socket.destroy()
      }
      const started = performance.now()
      while (lines.length < 2 && performance.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(lines).toHaveLength(2)
      for (const line of lines) expect(line).toMatch(/^POST \/v1\/chat\/completions 400 \d+ms error: .*the client closed the connection/)
    } finally {
      await server.close()
    }
  })
})
