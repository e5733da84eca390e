import { InvalidRequestError, PayloadTooLargeError } from '../errors.js'

/**
 * The deepest nesting of arrays and objects accepted. Far beyond any real request (a JSON schema in
 * `response_format` included), and far below what recursive code downstream (`JSON.stringify` of the
 * upstream body, validation, redaction) can take before it overflows the stack.
 */
export const maxJsonDepth = 128

/** Options of {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  /**
   * The server itself bounds this body within `limit` (Node's HTTP/1 parser delivers exactly a
   * `Content-Length` it has checked), so it is read in one piece rather than streamed and counted,
   * which on @hono/node-server skips building a Web Request. Never set it for a body nothing bounds.
   * @default false
   */
  readonly bounded?: boolean
}

/**
 * Reads a request body as JSON, counting the bytes actually read: a client that lies in
 * Content-Length, or sends chunked encoding, is stopped at `limit` all the same.
 * @throws PayloadTooLargeError past `limit` bytes.
 * @throws InvalidRequestError when the body is empty, compressed, not JSON, or nested deeper than {@link maxJsonDepth}.
 */
export async function readJsonBody(request: Request, limit: number, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit)
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase()
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    // A compressed body would be read as bytes of garbage: say what is wrong instead of "not UTF-8".
    throw new InvalidRequestError(`Content-Encoding ${encoding.slice(0, 32)} is not supported; send the body uncompressed.`, {
      param: 'content-encoding',
      code: 'unsupported_content_encoding',
    })
  }
  let bytes: Uint8Array
  try {
    bytes = options.bounded === true ? new Uint8Array(await request.arrayBuffer()) : await readCounted(request, limit)
  } catch (error) {
    if (PayloadTooLargeError.isInstance(error)) throw error
    // The client hung up mid-upload: its request, not the gateway, is what failed.
    throw new InvalidRequestError('The request body ended early: the client closed the connection.', {
      code: 'incomplete_body',
      cause: error,
    })
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new InvalidRequestError('The request body is not valid UTF-8.')
  }
  if (text.trim() === '') throw new InvalidRequestError('The request body is empty; send a JSON object.')
  if (nestingExceeds(text, maxJsonDepth)) {
    throw new InvalidRequestError(`The request body is nested more than ${maxJsonDepth} levels deep.`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new InvalidRequestError(`The request body is not valid JSON: ${(error as Error).message}`)
  }
}

/** The body's bytes, read as a stream and counted: past `limit`, the read stops with a 413. */
async function readCounted(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw new PayloadTooLargeError(limit)
    }
    parts.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.byteLength
  }
  return bytes
}

/** Whether brackets outside strings nest deeper than `max`: one pass, before anything is built from the text. */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (inString) {
      if (code === 0x5c) i++ // a backslash escapes the next character, a quote included
      else if (code === 0x22) inString = false
    } else if (code === 0x22) {
      inString = true
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > max) return true
    } else if (code === 0x5d || code === 0x7d) {
      depth--
    }
  }
  return false
}
