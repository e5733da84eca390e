import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseJsonTolerant } from '../score/post-reward-request.js'
import {
  errorBody,
  parseLlama3Rendering,
  parseRewardRequest,
  rewardResponseBody,
  shapePaths,
  sigmoid,
  stringifyLikePython,
  type ScoredPair,
  type SimulatedRewardShape,
} from './simulated-reward-shapes.js'

export type { ScoredPair, SimulatedRewardShape } from './simulated-reward-shapes.js'

/** Something going wrong on purpose, for one request. */
export type SimulatedRewardFault =
  /**
   * Answer with this status and body (an object is sent as JSON, a string as is); by default, the
   * shape's own error envelope.
   */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string | Readonly<Record<string, unknown>> }
  /**
   * Replace the scores at `positions` (all by default) with `value`; NaN and ±Infinity are written as
   * Python writes them.
   */
  | { readonly kind: 'scores'; readonly value: number | string | null; readonly positions?: readonly number[] }
  /** Leave the last score out of the answer. */
  | { readonly kind: 'wrong-count' }
  /** Answer normally, `ms` later. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Never answer (until the client gives up or the server closes). */
  | { readonly kind: 'hang' }
  /** Close the connection without an answer. */
  | { readonly kind: 'drop' }

/** A request as the simulated server received it. */
export interface SimulatedRewardRequest {
  /** The request path (`/pooling`, `/predict`, ...). */
  readonly path: string
  /** The request headers, lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown
}

/** Options of {@link startSimulatedRewardServer}. */
export interface SimulatedRewardServerOptions {
  /** The protocol to speak: vLLM `/pooling` or `/classify`, TEI `/predict`, or bonbon's `http` `/score`. */
  shape: SimulatedRewardShape
  /**
   * The raw reward (the logit, before any activation) of an answer to a prompt; the prompt is the last
   * user message's text.
   * @default defaultSimulatedRewardScore: longer answers score higher, with a deterministic jitter
   */
  score?: (prompt: string, answer: string) => number
  /**
   * A fault to inject: one for every request, or chosen per request (`index` counts requests from 0).
   * @default no fault
   */
  fault?: SimulatedRewardFault | ((request: SimulatedRewardRequest, index: number) => SimulatedRewardFault | undefined)
  /**
   * vLLM shapes: list `data` in reverse `index` order, which a client matching by position gets wrong.
   * @default false
   */
  reverseOrder?: boolean
  /**
   * `vllm-pooling`: answer each score nested as `[[score]]` instead of `[score]`.
   * @default false
   */
  nestedPoolingData?: boolean
  /**
   * vLLM shapes: the served model; a request naming another gets 404, as vLLM answers.
   * @default any model name is accepted
   */
  model?: string
  /**
   * Require `Authorization: Bearer <apiKey>`, answering 401 otherwise.
   * @default no authentication
   */
  apiKey?: string
  /**
   * vLLM shapes: reads a pre-rendered `input` text back into its prompt and answer.
   * @default parseLlama3Rendering
   */
  parseRenderedInput?: (input: string) => ScoredPair
  /** The port on 127.0.0.1. @default 0, any free port */
  port?: number
}

/** A running simulated reward server. */
export interface SimulatedRewardServer {
  /** The server's root URL, e.g. `http://127.0.0.1:41234`: the `baseURL` of vLLM and TEI reward models. */
  readonly url: string
  /** The scoring endpoint of the shape (root URL + `/pooling`, `/classify`, `/predict` or `/score`). */
  readonly scoreURL: string
  /** Every request to the scoring endpoint so far, in arrival order (other paths get 404 and are not kept). */
  readonly requests: readonly SimulatedRewardRequest[]
  /** Stops the server, cutting any connection still open. */
  close(): Promise<void>
}

/**
 * A deterministic stand-in for a reward model: log₂ of the answer's length plus a jitter in [-0.5, 0.5)
 * hashed from the prompt and answer (FNV-1a), so longer answers usually, not always, win.
 */
export function defaultSimulatedRewardScore(prompt: string, answer: string): number {
  let hash = 0x811c9dc5
  for (const char of `${prompt}\u241e${answer}`) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193)
  return Math.log2(1 + answer.length) + (hash >>> 0) / 4_294_967_296 - 0.5
}

/**
 * Starts a loopback reward server that behaves like the real one of its shape, activation included:
 * vLLM applies a sigmoid unless the request says `use_activation: false`, TEI unless `raw_scores: true`.
 * Requests are recorded, and faults (error statuses, NaN or null scores, a wrong count, a slow or
 * missing answer, a dropped connection) can be injected.
 * @example
 * ```ts
 * const server = await startSimulatedRewardServer({ shape: 'vllm-pooling', score: (_prompt, answer) => answer.length })
 * const rewardModel = createVllmRewardModel({ endpoint: 'pooling', baseURL: server.url, model: 'rm' })
 * await server.close()
 * ```
 */
export async function startSimulatedRewardServer(
  options: SimulatedRewardServerOptions,
): Promise<SimulatedRewardServer> {
  const { shape } = options
  const path = shapePaths[shape]
  const score = options.score ?? defaultSimulatedRewardScore
  const parseRenderedInput = options.parseRenderedInput ?? parseLlama3Rendering
  const requests: SimulatedRewardRequest[] = []
  const timers = new Set<NodeJS.Timeout>()

  const send = (response: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : stringifyLikePython(body)
    response.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' })
    response.end(text)
  }

  const answer = (response: ServerResponse, request: SimulatedRewardRequest, fault?: SimulatedRewardFault) => {
    const parsed = parseRewardRequest(shape, request.body, parseRenderedInput)
    if (!parsed.ok) {
      const status = shape === 'tei' ? 413 : 400
      return send(response, status, errorBody(shape, status, parsed.message))
    }
    if (options.model !== undefined && parsed.model !== undefined && parsed.model !== options.model) {
      return send(response, 404, errorBody(shape, 404, `The model \`${parsed.model}\` does not exist.`))
    }
    let scores: unknown[] = parsed.pairs.map(({ prompt, answer }) => {
      const raw = score(prompt, answer)
      return parsed.activation ? sigmoid(raw) : raw
    })
    if (fault?.kind === 'scores') {
      scores = scores.map((value, position) => (fault.positions?.includes(position) ?? true ? fault.value : value))
    }
    if (fault?.kind === 'wrong-count') scores = scores.slice(0, -1)
    send(response, 200, rewardResponseBody({
      shape,
      scores,
      single: parsed.single,
      model: options.model ?? parsed.model ?? 'simulated-reward-model',
      reverseOrder: options.reverseOrder ?? false,
      nestedPoolingData: options.nestedPoolingData ?? false,
    }))
  }

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const text = await readText(incoming)
    const parsedBody = parseJsonTolerant(text)
    const request: SimulatedRewardRequest = {
      path: incoming.url ?? '/',
      headers: lowerCaseHeaders(incoming),
      body: parsedBody === undefined ? text : parsedBody.value,
    }
    if (incoming.method !== 'POST' || request.path !== path) {
      return send(response, 404, errorBody(shape, 404, 'Not Found'))
    }
    const index = requests.push(request) - 1
    if (options.apiKey !== undefined && request.headers['authorization'] !== `Bearer ${options.apiKey}`) {
      return send(response, 401, errorBody(shape, 401, 'Unauthorized'))
    }
    if (parsedBody === undefined) return send(response, 400, errorBody(shape, 400, 'The body is not valid JSON.'))
    const fault = typeof options.fault === 'function' ? options.fault(request, index) : options.fault
    switch (fault?.kind) {
      case 'drop':
        return void incoming.socket.destroy()
      case 'hang':
        return
      case 'status':
        return send(response, fault.status, fault.body ?? errorBody(shape, fault.status, 'Simulated failure'))
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer)
          answer(response, request, fault)
        }, fault.ms)
        timers.add(timer)
        return
      }
      default:
        return answer(response, request, fault)
    }
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, errorBody(shape, 500, String(error)))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    scoreURL: `${url}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

async function readText(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function lowerCaseHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}
