import { serve as serveNode, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { BonbonApp } from '../app/create-app.js'
import { InvalidOptionsError } from '../errors.js'

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
  /**
   * On close, how long requests in flight may still run before their connections are cut, ms; the
   * log is drained either way. @default 30000
   */
  shutdownGraceMs?: number
}

/** A running gateway server. */
export interface RunningServer {
  /** The base URL clients use, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  readonly port: number
  /**
   * Stops accepting connections, waits for requests in flight (up to `shutdownGraceMs`, or until
   * `force` is called), then drains the log.
   */
  close(): Promise<void>
  /** Cuts every open connection now; a pending `close` then goes straight to draining the log. */
  force(): void
}

/** Serves a bonbon app over HTTP on Node. */
export async function serve(bonbon: BonbonApp, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serveNode({ fetch: bonbon.app.fetch, port: options.port ?? 8080, hostname: host }, () =>
      resolve(started),
    )
    started.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new InvalidOptionsError(`Port ${options.port ?? 8080} on ${host} is in use; choose another with --port.`)
          : error.code === 'EACCES'
            ? new InvalidOptionsError(`Not allowed to listen on port ${options.port ?? 8080} of ${host}.`)
            : error,
      ),
    )
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  const force = () => {
    if ('closeAllConnections' in server) server.closeAllConnections()
  }
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    force,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const grace = setTimeout(force, options.shutdownGraceMs ?? 30_000)
        server.close(() => {
          clearTimeout(grace)
          resolve()
        })
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      }).then(() => bonbon.close())),
  }
}
