import { serve as serveNode, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { BonbonApp } from '../app/create-app.js'
import type { Duplex } from 'node:stream'
import { InvalidOptionsError, InvalidRequestError } from '../errors.js'
import { toErrorResponse } from '../protocol/error-response.js'

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

/**
 * Answers what Node's HTTP parser refuses before the app sees it (a bad or duplicate
 * Content-Length, Content-Length with Transfer-Encoding, headers too large) with an OpenAI-shaped
 * error, where Node would send a bare status line.
 */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (error.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy()
    return
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
  const refusal = new InvalidRequestError(tooLarge ? 'The request headers are too large.' : 'The HTTP request is malformed.', {
    code: tooLarge ? 'headers_too_large' : 'malformed_request',
  })
  // 431 is the status Node itself would send: only the body is ours.
  const status = tooLarge ? 431 : toErrorResponse(refusal).status
  const body = JSON.stringify(toErrorResponse(refusal).body)
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
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
  server.on('clientError', answerMalformedRequest)
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
