import { InvalidRequestError, PayloadTooLargeError } from '../errors.js'

/**
 * Reads a request body as JSON, counting the bytes actually read: a client that lies in
 * Content-Length, or sends chunked encoding, is stopped at `limit` all the same.
 * @throws PayloadTooLargeError past `limit` bytes.
 * @throws InvalidRequestError when the body is empty or not JSON.
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit)
  if (!request.body) throw new InvalidRequestError('The request body is empty; send a JSON object.')

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
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new InvalidRequestError('The request body is not valid UTF-8.')
  }
  if (text.trim() === '') throw new InvalidRequestError('The request body is empty; send a JSON object.')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new InvalidRequestError(`The request body is not valid JSON: ${(error as Error).message}`)
  }
}
