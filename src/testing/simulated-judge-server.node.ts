import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { judgeFence, judgeNonceOf } from '../score/judge-prompt.js'

/** Something going wrong on purpose, for one judge call. */
export type SimulatedJudgeFault =
  /** Answer with this HTTP status and an OpenAI error body. */
  | { readonly kind: 'status'; readonly status: number }
  /** Answer 200 with this text as the judge's reply (e.g. prose instead of JSON), without logprobs. */
  | { readonly kind: 'reply'; readonly text: string }

/** Options of {@link startSimulatedJudgeServer}. */
export interface SimulatedJudgeServerOptions {
  /**
   * The judge's grade of an answer, 1 to 10; a fractional grade is written rounded, and its log-
   * probabilities split between the two nearest grades so that their expectation is the grade.
   * @default defaultSimulatedJudgeGrade: longer answers grade higher
   */
  grade?: (answer: string) => number
  /**
   * Pairwise: when the grades of A and B differ by at most this, the judge says "A", a first-position
   * bias. Use a large value for a judge that always prefers whatever it reads first.
   * @default 0
   */
  positionBias?: number
  /** A fault to play on a call, chosen from what the call holds. @default none */
  fault?: (call: SimulatedJudgeCallInfo) => SimulatedJudgeFault | undefined
}

/** What a fault is chosen from. */
export interface SimulatedJudgeCallInfo {
  /** The call's number, counting from 0 in arrival order. */
  readonly index: number
  readonly mode: 'score' | 'preference'
  /** The answers the judge read, by label (`ANSWER`, or `ANSWER A` and `ANSWER B`). */
  readonly answers: Readonly<Record<string, string>>
}

/** One call as the simulated judge understood it. */
export interface SimulatedJudgeCall {
  /** `score` for a pointwise call, `preference` for a pairwise one (from the `response_format` name). */
  readonly mode: 'score' | 'preference'
  /** The answers it read, by label (`ANSWER`, or `ANSWER A` and `ANSWER B`). */
  readonly answers: Readonly<Record<string, string>>
  /** The injected grade it obeyed ("give this 10" outside a fenced block), if any. */
  readonly obeyed: number | undefined
  /** What it replied. */
  readonly reply: string
  /** The request body. */
  readonly body: Readonly<Record<string, unknown>>
}

/** A running simulated judge. */
export interface SimulatedJudgeServer {
  /** The base URL, `/v1` included. */
  readonly url: string
  /** Every call so far, in arrival order. */
  readonly calls: readonly SimulatedJudgeCall[]
  close(): Promise<void>
}

const requestSchema = z.looseObject({
  messages: z.array(z.looseObject({ role: z.string(), content: z.string().nullish() })),
  response_format: z.looseObject({ json_schema: z.looseObject({ name: z.string().nullish() }).nullish() }).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().nullish(),
})

// The naive judge obeys this anywhere it reads instructions, i.e. outside properly fenced data.
const injection = /give (?:this|it)(?: answer)? (?:a )?(\d+)/i

/** The default grade: 1 plus log₂ of the length in tens of characters, at most 10. */
export function defaultSimulatedJudgeGrade(answer: string): number {
  return Math.min(10, 1 + Math.log2(1 + [...answer].length / 10))
}

/**
 * Starts a loopback OpenAI-compatible judge (`POST /v1/chat/completions`) that grades bonbon's judge
 * prompts like a gullible model: text inside a block fenced with the nonce its system prompt announced
 * is data and is graded; anything outside the fences is read as instructions, so "give this 10"
 * there is obeyed. An unfenced or badly escaped candidate therefore steers it, and a test of the
 * fencing fails when the fencing goes. Pointwise calls answer `{"score": N}` (with `logprobs` when
 * asked); pairwise calls answer `{"winner": "A" | "B"}`.
 * @example
 * ```ts
 * const judge = await startSimulatedJudgeServer({ grade: (answer) => (answer.includes('Paris') ? 9 : 2) })
 * const rewardModel = createJudgeRewardModel({ baseURL: judge.url, model: 'judge' })
 * await judge.close()
 * ```
 */
export async function startSimulatedJudgeServer(
  options: SimulatedJudgeServerOptions = {},
): Promise<SimulatedJudgeServer> {
  const grade = options.grade ?? defaultSimulatedJudgeGrade
  const positionBias = options.positionBias ?? 0
  const calls: SimulatedJudgeCall[] = []
  let count = 0

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const text = await readText(incoming)
    if (incoming.method !== 'POST' || incoming.url !== '/v1/chat/completions') {
      return sendJson(response, 404, errorBody('Not found.'))
    }
    const parsed = requestSchema.safeParse(parseJson(text))
    if (!parsed.success) return sendJson(response, 400, errorBody('Invalid request.'))
    const body = parsed.data
    const mode = body.response_format?.json_schema?.name === 'judge_preference' ? 'preference' : 'score'
    const contentOf = (role: string) =>
      body.messages.filter((message) => message.role === role).map((message) => message.content ?? '').join('\n')
    const reading = read(contentOf('user'), judgeNonceOf(contentOf('system')))
    const fault = options.fault?.({ index: count++, mode, answers: reading.answers })
    if (fault?.kind === 'status') return sendJson(response, fault.status, errorBody('Simulated failure.'))
    const obeyed = reading.injection?.grade
    let reply: string
    let grade10: number | undefined
    if (mode === 'score') {
      grade10 = clamp(obeyed ?? grade(reading.answers['ANSWER'] ?? ''))
      reply = JSON.stringify({ score: Math.round(grade10) })
    } else {
      const gradeA = grade(reading.answers['ANSWER A'] ?? '')
      const gradeB = grade(reading.answers['ANSWER B'] ?? '')
      const winner = reading.injection
        ? reading.injection.slot
        : Math.abs(gradeA - gradeB) <= positionBias ? 'A' : gradeA > gradeB ? 'A' : 'B'
      reply = JSON.stringify({ winner })
    }
    if (fault?.kind === 'reply') reply = fault.text
    calls.push({ mode, answers: reading.answers, obeyed, reply, body })
    const logprobs =
      body.logprobs === true && fault === undefined && grade10 !== undefined
        ? { content: scoreTokens(grade10, body.top_logprobs ?? 0) }
        : null
    const promptTokens = Math.ceil(text.length / 4)
    sendJson(response, 200, {
      id: `chatcmpl-judge-${calls.length}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'simulated-judge',
      choices: [{ index: 0, message: { role: 'assistant', content: reply }, logprobs, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: 6, total_tokens: promptTokens + 6 },
    })
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, errorBody('Simulated judge crashed.'))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

interface Reading {
  readonly answers: Record<string, string>
  readonly injection: { readonly grade: number; readonly slot: 'A' | 'B' } | undefined
}

/** Splits the user message into fenced data and the rest, which this judge takes as instructions. */
function read(user: string, nonce: string | undefined): Reading {
  const answers: Record<string, string> = {}
  let outside = user
  if (nonce !== undefined) {
    const block = blockPattern(nonce)
    for (const [, label = '', content = ''] of user.matchAll(block)) answers[label] ??= content
    // Blank the fenced spans out, keeping positions, so an injection's slot is where it stood.
    outside = user.replace(block, (whole) => ' '.repeat(whole.length))
  }
  // Unfenced (or broken) prompts: fall back to the headings, as a model reading plain text would.
  const headingB = user.indexOf('Answer B:')
  answers['ANSWER'] ??= user.slice(user.lastIndexOf('Answer:') + 'Answer:'.length).trim()
  const afterA = user.indexOf('Answer A:') + 'Answer A:'.length
  answers['ANSWER A'] ??= user.slice(afterA, headingB === -1 ? undefined : headingB).trim()
  answers['ANSWER B'] ??= headingB === -1 ? '' : user.slice(headingB + 'Answer B:'.length).trim()
  const found = injection.exec(outside)
  if (found === null) return { answers, injection: undefined }
  const slot = headingB !== -1 && found.index > headingB ? 'B' : 'A'
  return { answers, injection: { grade: Number(found[1]), slot } }
}

/** A fenced block with this nonce, built from the fence lines bonbon writes: (label, content). */
function blockPattern(nonce: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const { begin, end } = judgeFence('LABEL', nonce)
  const [beginBefore, beginAfter] = begin.split('LABEL').map(escape)
  const [endBefore, endAfter] = end.split('LABEL').map(escape)
  return new RegExp(`${beginBefore}([A-Z ]+)${beginAfter}\\n([\\s\\S]*?)\\n${endBefore}\\1${endAfter}`, 'g')
}

/** The tokens of `{"score": N}` with log-probabilities whose expectation over the grades is `grade`. */
function scoreTokens(grade: number, topCount: number) {
  const low = Math.floor(grade)
  const fraction = grade - low
  const masses = new Map<string, number>([[String(low), 0.9 * (1 - fraction)]])
  if (fraction > 0) masses.set(String(low + 1), 0.9 * fraction)
  // A non-grade alternative takes 10 % of the mass, so a reader must renormalise over the grades.
  masses.set('"', 0.1)
  const alternatives = [...masses]
    .sort((a, b) => b[1] - a[1])
    .map(([token, mass]) => ({ token, logprob: Math.log(mass) }))
    .slice(0, topCount)
  const written = String(Math.round(grade))
  const fixed = (token: string) => ({ token, logprob: 0, top_logprobs: [{ token, logprob: 0 }].slice(0, topCount) })
  return [
    fixed('{"'),
    fixed('score'),
    fixed('":'),
    fixed(' '),
    { token: written, logprob: Math.log(masses.get(written) ?? 0.9), top_logprobs: alternatives },
    fixed('}'),
  ]
}

function clamp(grade: number): number {
  return Math.min(10, Math.max(1, grade))
}

function errorBody(message: string) {
  return { error: { message, type: 'server_error', param: null, code: null } }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

async function readText(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}
