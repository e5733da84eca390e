import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { SimulatedEndpoint } from './simulated-completion.js'

/** The completion endpoint a request is for, or undefined for any other route. */
export function endpointOf(method: string | undefined, path: string): SimulatedEndpoint | undefined {
  if (method !== 'POST') return undefined
  if (path === '/v1/chat/completions') return 'chat'
  if (path === '/v1/completions') return 'completions'
  return undefined
}

/** The whole request body as UTF-8 text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const part of request) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(String(part)))
  return Buffer.concat(parts).toString('utf8')
}

/** The request headers as plain strings, lower-cased names. */
export function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

/** The body parsed as a JSON object, or `{}` when it is not one. */
export function objectBody(text: string): Record<string, unknown> {
  try {
    const parsed = z.record(z.string(), z.unknown()).safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : {}
  } catch {
    return {}
  }
}

/** An OpenAI-shaped error body. */
export function errorEnvelope(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): { error: Record<string, string | null> } {
  return { error: { message, type, param, code } }
}

/** Answers with `body`: bytes and strings as they are (strings as text/plain), anything else as JSON. */
export function send(
  reply: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const isText = typeof body === 'string'
  const payload = body instanceof Uint8Array ? body : isText ? body : JSON.stringify(body)
  reply.writeHead(status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json', ...headers })
  reply.end(payload)
}

/** Writes bytes and resolves once they are handed to the socket, so each write can go out alone. */
export function write(reply: ServerResponse, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => reply.write(bytes, (error) => (error ? reject(error) : resolve())))
}
