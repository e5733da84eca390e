import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import {
  completionBody,
  defaultSimulatedAnswer,
  planCompletion,
  simulatedRequestSchema,
  type SimulatedAnswerInput,
  type SimulatedEndpoint,
  type SimulatedRequestBody,
} from './simulated-completion.js'
import { defaultErrorBody, llamaCppNRejection, type SimulatedFault, type SimulatedFaults } from './simulated-faults.js'
import {
  endpointOf,
  errorEnvelope,
  headersOf,
  objectBody,
  readBody,
  send,
  write,
} from './simulated-http.node.js'
import { encodeSseWrites, streamChunks, type SimulatedSseQuirks } from './simulated-stream.js'

/** Options of {@link startSimulatedBackend}. */
export interface SimulatedBackendOptions {
  /** Writes the text of each choice. @default {@link defaultSimulatedAnswer} */
  answer?: ((input: SimulatedAnswerInput) => string) | undefined
  /**
   * What the server does with `n > 1`: `honor` it (vLLM, SGLang, OpenAI), `ignore` it and return one
   * choice (Ollama, TGI), or `reject` it with llama.cpp's 500 "Only one completion choice is allowed".
   * @default 'honor'
   */
  nativeN?: 'honor' | 'ignore' | 'reject' | undefined
  /** Failures to play on completion calls. @default none */
  faults?: SimulatedFaults | undefined
  /** How the SSE stream is written. @default plain `data: ` events with LF line ends, one per write */
  sse?: SimulatedSseQuirks | undefined
  /** Wait this long before each streamed write, and tokens × this before a non-streamed answer, in ms. @default 0 */
  tokenLatencyMs?: number | undefined
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. @default no check */
  apiKey?: string | undefined
  /** The model ids `GET /v1/models` lists. @default ['simulated-model'] */
  models?: readonly string[] | undefined
  /** The port on 127.0.0.1. @default 0, any free port */
  port?: number | undefined
}

/** How a recorded exchange ended. */
export type SimulatedOutcome = 'completed' | 'client-closed' | 'dropped'

/** One request the server received. */
export interface SimulatedRequest {
  readonly method: string
  /** The path, `/v1/chat/completions` for example. */
  readonly path: string
  /** The headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>
  /** The JSON body when it was an object, else `{}`. */
  readonly body: Readonly<Record<string, unknown>>
  /** The body as sent. */
  readonly rawBody: string
  /** Settles when the exchange ends: answered in full, closed by the client first, or dropped by a fault. */
  readonly outcome: Promise<SimulatedOutcome>
}

/** A running simulated backend. */
export interface SimulatedBackend {
  /** The base URL, `/v1` included (`http://127.0.0.1:53117/v1`). */
  readonly url: string
  /** Every request received so far, in arrival order. */
  readonly requests: readonly SimulatedRequest[]
  /** Stops the server, cutting any open connection. */
  close(): Promise<void>
  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

const isFunction = z.custom<unknown>((value) => typeof value === 'function', 'must be a function')

const optionsSchema = z.object({
  answer: isFunction.optional(),
  faults: z
    .union([
      z.array(z.looseObject({ kind: z.enum(['http-error', 'error-body', 'stream-error', 'drop']) }).nullish()),
      isFunction,
    ])
    .optional(),
  nativeN: z.enum(['honor', 'ignore', 'reject']).optional(),
  tokenLatencyMs: z.number().min(0).optional(),
  apiKey: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  sse: z
    .object({
      noSpaceAfterData: z.boolean().optional(),
      heartbeat: z.boolean().optional(),
      splitCharacters: z.boolean().optional(),
      emptyChoicesChunk: z.boolean().optional(),
      emptyDataEvents: z.boolean().optional(),
      lineEnding: z.enum(['lf', 'cr', 'crlf']).optional(),
      writeSize: z.number().int().min(1).optional(),
      eventsPerWrite: z.number().int().min(1).optional(),
    })
    .optional(),
})

/**
 * Starts an OpenAI-compatible inference server on 127.0.0.1 (a free port) for tests: `POST
 * /v1/chat/completions`, `POST /v1/completions` (native `n`, streaming with interleaved choices,
 * usage chunks, logprobs), `GET /v1/models`, with injectable faults and SSE quirks.
 * @throws InvalidOptionsError for invalid options.
 * @example
 * ```ts
 * const backend = await startSimulatedBackend({ nativeN: 'ignore', faults: [{ kind: 'http-error', status: 429 }] })
 * const client = new OpenAI({ baseURL: backend.url, apiKey: 'unused' })
 * // ... drive your gateway, then inspect backend.requests
 * await backend.close()
 * ```
 */
export async function startSimulatedBackend(options: SimulatedBackendOptions = {}): Promise<SimulatedBackend> {
  const checked = optionsSchema.safeParse(options)
  if (!checked.success) {
    const issue = checked.error.issues[0]
    const key = issue?.path.join('.') ?? ''
    throw new InvalidOptionsError(`Invalid simulated backend option '${key}': ${issue?.message ?? ''}`, { key })
  }
  const settings = {
    answer: options.answer ?? defaultSimulatedAnswer,
    nativeN: options.nativeN ?? 'honor',
    tokenLatencyMs: options.tokenLatencyMs ?? 0,
    sse: { ...options.sse },
    apiKey: options.apiKey,
    models: [...(options.models ?? ['simulated-model'])],
  }
  const faults = typeof options.faults === 'function' ? options.faults : [...(options.faults ?? [])]
  const requests: SimulatedRequest[] = []
  let completionCalls = 0

  const server = createServer((incoming, response) => {
    let settle: (outcome: SimulatedOutcome) => void = () => undefined
    const outcome = new Promise<SimulatedOutcome>((resolve) => (settle = resolve))
    const closed = new AbortController()
    let dropped = false
    response.on('close', () => {
      closed.abort()
      settle(dropped ? 'dropped' : response.writableFinished ? 'completed' : 'client-closed')
    })
    const drop = () => {
      dropped = true
      response.socket?.destroy()
    }
    void handle(incoming, response).catch((error: unknown) => {
      if (closed.signal.aborted) return
      if (!response.headersSent) send(response, 500, defaultErrorBody(500))
      else response.destroy(error instanceof Error ? error : undefined)
    })

    async function handle(request: IncomingMessage, reply: ServerResponse): Promise<void> {
      const rawBody = await readBody(request)
      const headers = headersOf(request)
      const path = (request.url ?? '/').split('?')[0] ?? '/'
      const body = objectBody(rawBody)
      requests.push({ method: request.method ?? 'GET', path, headers, body, rawBody, outcome })
      if (settings.apiKey !== undefined && headers['authorization'] !== `Bearer ${settings.apiKey}`) {
        const envelope = errorEnvelope('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key')
        return send(reply, 401, envelope)
      }
      if (request.method === 'GET' && path === '/v1/models') {
        const data = settings.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'bonbon' }))
        return send(reply, 200, { object: 'list', data })
      }
      const endpoint = endpointOf(request.method, path)
      if (endpoint === undefined) {
        return send(reply, 404, errorEnvelope(`No route ${request.method} ${path}.`, 'not_found_error'))
      }
      const call = completionCalls++
      const fault = typeof faults === 'function' ? faults({ call, endpoint, body, headers }) : faults[call]
      const parsed = simulatedRequestSchema.safeParse(body)
      const missing = endpoint === 'chat' ? parsed.data?.messages == null : parsed.data?.prompt == null
      if (!parsed.success || missing) {
        const param = parsed.success
          ? endpoint === 'chat'
            ? 'messages'
            : 'prompt'
          : (parsed.error.issues[0]?.path.join('.') ?? null)
        return send(reply, 400, errorEnvelope(`Invalid request: '${param}'.`, 'invalid_request_error', param))
      }
      await answer({ endpoint, body: parsed.data, call, fault: fault ?? undefined, reply })
    }

    async function answer(call: {
      endpoint: SimulatedEndpoint
      body: SimulatedRequestBody
      call: number
      fault: SimulatedFault | undefined
      reply: ServerResponse
    }): Promise<void> {
      const { fault, reply, body } = call
      if (fault?.kind === 'http-error') {
        const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : undefined)
        const extra: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }
        return send(reply, fault.status, fault.body ?? defaultErrorBody(fault.status), extra)
      }
      const stream = body.stream === true
      if (fault?.kind === 'error-body' || (fault?.kind === 'stream-error' && !stream)) {
        return send(reply, 200, fault.body ?? defaultErrorBody(500))
      }
      const n = body.n ?? 1
      if (n > 1 && settings.nativeN === 'reject') return send(reply, 500, llamaCppNRejection)
      const choiceCount = settings.nativeN === 'ignore' ? 1 : n
      const plan = planCompletion({
        endpoint: call.endpoint,
        body,
        choiceCount,
        call: call.call,
        answer: settings.answer,
      })
      if (!stream) {
        const tokens = plan.choices.reduce((total, choice) => total + choice.tokens.length, 0)
        await pause(settings.tokenLatencyMs * tokens)
        const bytes = new TextEncoder().encode(JSON.stringify(completionBody(plan)))
        if (fault?.kind !== 'drop') return send(reply, 200, bytes)
        reply.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) })
        await write(reply, bytes.subarray(0, fault.afterBytes ?? Math.floor(bytes.length / 2)))
        return drop()
      }
      const chunks = streamChunks(plan, {
        includeUsage: body.stream_options?.include_usage === true,
        emptyChoicesChunk: settings.sse.emptyChoicesChunk === true,
      })
      const payloads = chunks.map((chunk) => JSON.stringify(chunk))
      if (fault?.kind === 'stream-error') {
        payloads.splice(fault.afterChunks ?? 2, payloads.length, JSON.stringify(fault.body ?? defaultErrorBody(500)))
      }
      payloads.push('[DONE]')
      const writes = encodeSseWrites(payloads, settings.sse)
      const dropAt =
        fault?.kind === 'drop'
          ? (fault.afterBytes ?? Math.floor(writes.reduce((total, bytes) => total + bytes.length, 0) / 2))
          : undefined
      reply.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      // Real servers send the headers at once, before the first token; clients see a stream has begun.
      reply.flushHeaders()
      let written = 0
      for (const bytes of writes) {
        await pause(settings.tokenLatencyMs)
        if (dropAt !== undefined && written + bytes.length >= dropAt) {
          await write(reply, bytes.subarray(0, dropAt - written))
          return drop()
        }
        await write(reply, bytes)
        written += bytes.length
      }
      reply.end()
    }

    async function pause(ms: number): Promise<void> {
      if (ms > 0) await delay(ms, undefined, { signal: closed.signal })
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The simulated backend has no TCP address.')
  const close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return { url: `http://127.0.0.1:${address.port}/v1`, requests, close, [Symbol.asyncDispose]: close }
}
