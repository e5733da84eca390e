import { finished, Readable } from 'node:stream'
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
   * Largest response body, bytes, buffered or streamed: a runaway upstream must not take the
   * gateway's memory with it (n bodies are held at once, and a streamed answer is collected whole
   * before it is scored). @default 67108864 (64 MiB)
   */
  maxResponseBytes?: number
}

/** A `fetch` that owns a connection pool, and the way to release it. */
export type UndiciFetch = typeof fetch & {
  /** Closes the keep-alive pool once calls in flight have finished; later calls reject. Safe to call twice. */
  close(): Promise<void>
}

/**
 * A `fetch` for upstream and reward calls built on undici's `request` with one keep-alive pool per
 * origin. The core speaks Web `fetch`; undici's own `fetch` implements the whole WHATWG algorithm
 * and costs several times more per call than `request`, which matters when every client request
 * becomes n + 1 upstream calls. Bodies are buffered unless the upstream answers with an event
 * stream; either way at most `maxResponseBytes` are read. Call `close()` when done with it.
 */
export function createUndiciFetch(options: UndiciFetchOptions = {}): UndiciFetch {
  // Explicit timeouts: undici's defaults (300 s for headers and body) would hold a request hostage
  // to a stalled GPU backend far longer than any client waits.
  const dispatcher = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 120_000,
    keepAliveTimeout: 30_000,
  })
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1_048_576
  const undiciFetch = async function undiciFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url
    const response = await request(typeof url === 'string' ? parsedURL(url) : url, {
      dispatcher,
      method: (init.method ?? 'GET') as 'GET',
      headers: Object.fromEntries(new Headers(init.headers)),
      body: init.body as string | undefined,
      signal: init.signal ?? undefined,
    })
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item)
    }
    const status = response.statusCode
    const init_ = { status, headers: responseHeaders }
    const noBody = status === 204 || status === 304 || init.method === 'HEAD'
    if (noBody) {
      await response.body.dump()
      return new Response(null, init_)
    }
    const streaming = (responseHeaders.get('content-type') ?? '').includes('text/event-stream')
    if (streaming) {
      const body = Readable.toWeb(response.body) as ReadableStream<Uint8Array>
      return new Response(body.pipeThrough(byteCap(maxResponseBytes, url)), init_)
    }
    return new Response(await readCapped(response.body, maxResponseBytes, url), init_)
  } as typeof fetch
  // undici rejects a second close of a closed pool; closing twice (app and server both) is harmless here.
  let closing: Promise<void> | undefined
  return Object.assign(undiciFetch, { close: () => (closing ??= dispatcher.close()) })
}

/**
 * Passes a streamed body through until more than `limit` bytes have gone by, then errors it (the
 * reader sees the UpstreamError, and the pipe cancels the socket): an endless stream is as much a
 * runaway as an endless buffered body.
 */
function byteCap(limit: number, url: string | URL): TransformStream<Uint8Array, Uint8Array> {
  let size = 0
  return new TransformStream({
    transform(chunk, controller) {
      size += chunk.byteLength
      if (size > limit) controller.error(tooLarge(limit, url, 'read more of it'))
      else controller.enqueue(chunk)
    },
  })
}

function tooLarge(limit: number, url: string | URL, refusal: string): UpstreamError {
  return new UpstreamError(`Response from ${String(url)} exceeds ${limit} bytes; refusing to ${refusal}.`, {
    isRetryable: false,
  })
}

/**
 * Reads a whole body into one buffer, destroying the stream with an UpstreamError once more than
 * `limit` bytes have come. Listens to the stream's events rather than iterating it: the async
 * iterator costs more than the read itself for the small bodies of completions and scores.
 */
function readCapped(body: Readable, limit: number, url: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    body.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) body.destroy(tooLarge(limit, url, 'buffer it'))
      else chunks.push(chunk)
    })
    // Settles once the stream is done: with the error it was destroyed with (the cap above, an
    // abort, a broken connection), a premature close, or the bytes once it ended.
    finished(body, (error) => (error ? reject(error) : resolve(Buffer.concat(chunks, size))))
  })
}

/** Parsed request URLs by their text: a gateway calls the same two or three URLs over and over. */
const parsedURLs = new Map<string, URL>()
const parsedURLLimit = 64

/** The URL of `text`, parsed once (undici would parse it again at every call); invalid text throws as before. */
function parsedURL(text: string): URL {
  let url = parsedURLs.get(text)
  if (url === undefined) {
    url = new URL(text)
    if (parsedURLs.size >= parsedURLLimit) parsedURLs.clear()
    parsedURLs.set(text, url)
  }
  return url
}
