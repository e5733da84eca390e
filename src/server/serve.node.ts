import { serve as serveNode, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { BonbonApp } from '../app/create-app.js'

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
}

/** A running gateway server. */
export interface RunningServer {
  /** The base URL clients use, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  readonly port: number
  /** Stops accepting connections, waits for requests in flight, then drains the log. */
  close(): Promise<void>
}

/** Serves a bonbon app over HTTP on Node. */
export async function serve(bonbon: BonbonApp, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serveNode({ fetch: bonbon.app.fetch, port: options.port ?? 8080, hostname: host }, () =>
      resolve(started),
    )
    started.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() => bonbon.close())),
  }
}
