import OpenAI from 'openai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createApp } from '../../src/app/create-app.node.js'
import type { BonbonApp } from '../../src/app/create-app.js'
import type { BonbonConfigInput } from '../../src/config/config-schema.js'
import { serve, type RunningServer } from '../../src/server/serve.node.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'

/**
 * A loopback upstream that answers every completion call with one recorded JSON body, written as
 * given (a string is sent byte for byte, so a test can send JSON no serialiser of ours would write).
 * For wire shapes the simulated backend does not write: reasoning, refusals, odd envelopes.
 */
export interface RecordedUpstream {
  /** The base URL, `/v1` included. */
  readonly url: string
  /** The connections the upstream has accepted and that are still open. */
  readonly openSockets: ReadonlySet<Socket>
  close(): Promise<void>
}

/**
 * Starts a {@link RecordedUpstream}; `reply` gets the request path and body and returns the answer,
 * after `delayMs` when given.
 */
export async function startRecordedUpstream(
  reply: (path: string, body: Record<string, unknown>) => unknown,
  options: { readonly delayMs?: number } = {},
): Promise<RecordedUpstream> {
  const openSockets = new Set<Socket>()
  const server: Server = createServer((request, response) => {
    let text = ''
    request.setEncoding('utf8')
    request.on('data', (part: string) => (text += part))
    request.on('end', () => {
      const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
      const answer = reply(request.url ?? '/', body)
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(typeof answer === 'string' ? answer : JSON.stringify(answer))
      }, options.delayMs ?? 0)
    })
  })
  // Keep-alive connections stay open until the client closes them, so a test can see who does.
  server.keepAliveTimeout = 0
  server.on('connection', (socket) => {
    openSockets.add(socket)
    socket.on('close', () => openSockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    openSockets,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A bonbon gateway on loopback in front of an upstream, with a simulated reward server. */
export interface RespondGateway {
  readonly bonbon: BonbonApp
  readonly url: string
  readonly client: OpenAI
  close(): Promise<void>
}

/** Starts bonbon (the Node app, no log) drawing two candidates from `upstreamURL` in parallel calls. */
export async function startRespondGateway(upstreamURL: string): Promise<RespondGateway> {
  const reward: SimulatedRewardServer = await startSimulatedRewardServer({ shape: 'http' })
  const config: BonbonConfigInput = {
    upstream: { kind: 'openai', baseURL: upstreamURL, fanout: 'parallel', maxRetries: 0 },
    reward: { kind: 'http', url: reward.scoreURL, maxRetries: 0 },
    bestOfN: { n: 2, maxN: 4, heartbeatMs: 5_000 },
    log: { kind: 'none' },
  }
  const bonbon = await createApp(config, { env: {} })
  const server: RunningServer = await serve(bonbon, { port: 0 })
  return {
    bonbon,
    url: server.url,
    client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key', maxRetries: 0 }),
    close: async () => {
      await server.close()
      await reward.close()
    },
  }
}
