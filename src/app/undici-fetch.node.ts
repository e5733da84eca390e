import { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { UpstreamError } from '../errors.js'

/** Options of {@link createUndiciFetch}. */
export interface UndiciFetchOptions {
  /** Longest wait for a TCP connection, ms. @default 10000 */
  connectTimeoutMs?: number
  /** Longest wait for response headers, ms. @default 120000 */
  headersTimeoutMs?: number
  /** Longest silence between body chunks, ms. @default 120000 */
  bodyTimeoutMs?: number
  /**
   * Largest buffered response body, bytes: a runaway upstream must not take the gateway's memory
   * with it (n bodies are held at once). @default 67108864 (64 MiB)
   */
  maxResponseBytes?: number
}

/**
 * A `fetch` for upstream and reward calls built on undici's `request` with one keep-alive pool per
 * origin. The core speaks Web `fetch`; undici's own `fetch` implements the whole WHATWG algorithm
 * and costs several times more per call than `request`, which matters when every client request
 * becomes n + 1 upstream calls. Bodies are buffered unless the caller asked for an event stream.
 */
export function createUndiciFetch(options: UndiciFetchOptions = {}): typeof fetch {
  // Explicit timeouts: undici's defaults (300 s for headers and body) would hold a request hostage
  // to a stalled GPU backend far longer than any client waits.
  const dispatcher = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 120_000,
    keepAliveTimeout: 30_000,
  })
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1_048_576
  return async function undiciFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url
    const headers = new Headers(init.headers)
    const response = await request(url, {
      dispatcher,
      method: (init.method ?? 'GET') as 'GET',
      headers: Object.fromEntries(headers),
      body: init.body as string | undefined,
      signal: init.signal ?? undefined,
    })
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item)
    }
    const init_ = { status: response.statusCode, headers: responseHeaders }
    const noBody = response.statusCode === 204 || response.statusCode === 304 || init.method === 'HEAD'
    if (noBody) {
      await response.body.dump()
      return new Response(null, init_)
    }
    const streaming = (responseHeaders.get('content-type') ?? '').includes('text/event-stream')
    if (streaming) return new Response(Readable.toWeb(response.body) as ReadableStream<Uint8Array>, init_)
    return new Response(await readCapped(response.body, maxResponseBytes, url), init_)
  } as typeof fetch
}

async function readCapped(body: Readable, limit: number, url: string | URL): Promise<ArrayBuffer> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > limit) {
      body.destroy()
      throw new UpstreamError(`Response from ${String(url)} exceeds ${limit} bytes; refusing to buffer it.`, {
        isRetryable: false,
      })
    }
    chunks.push(chunk)
  }
  const joined = Buffer.concat(chunks, size)
  return joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer
}
