import { logprobsOf, planUsage, type SimulatedChoice, type SimulatedPlan } from './simulated-completion.js'

/** Switches for the ways real servers write SSE differently; all off by default. */
export interface SimulatedSseQuirks {
  /** Write `data:{…}` without the space after the colon (allowed by the SSE spec). @default false */
  readonly noSpaceAfterData?: boolean
  /** The line end: LF, a lone CR, or CRLF (all three are legal SSE). @default 'lf' */
  readonly lineEnding?: 'lf' | 'cr' | 'crlf'
  /** Send a comment line (`: ping`) before every event, as proxies and heartbeating servers do. @default false */
  readonly heartbeat?: boolean
  /** Cut the stream into writes of at most this many bytes, wherever that falls. @default no limit */
  readonly writeSize?: number
  /** Cut every multi-byte UTF-8 character in two, across separate writes. @default false */
  readonly splitCharacters?: boolean
  /** How many events go into one write. @default 1 */
  readonly eventsPerWrite?: number
  /** Start with a `choices: []` chunk carrying `prompt_filter_results`, as Azure OpenAI does. @default false */
  readonly emptyChoicesChunk?: boolean
  /**
   * Send an event with empty data before every event, alternately `data:` and `data:` with only
   * spaces, as keep-alive proxies and some servers do. @default false
   */
  readonly emptyDataEvents?: boolean
}

/** What a stream should hold besides the plan's choices. */
export interface StreamChunkOptions {
  /** Add the final `choices: []` usage chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean
  /** See {@link SimulatedSseQuirks.emptyChoicesChunk}. */
  readonly emptyChoicesChunk: boolean
}

/**
 * The chunks of a streamed completion: per choice a role chunk (chat), one chunk per token and a
 * finish chunk, the choices interleaved (each round alternating ascending and descending index, so
 * no consumer can rely on order), then the usage chunk when asked.
 */
export function streamChunks(plan: SimulatedPlan, options: StreamChunkOptions): Record<string, unknown>[] {
  const envelope = {
    id: plan.id,
    object: plan.endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: plan.created,
    model: plan.model,
    system_fingerprint: 'fp_simulated',
  }
  const usageField = options.includeUsage ? { usage: null } : {}
  const perChoice = plan.choices.map((choice) => choicePieces(plan, choice))
  const rounds = Math.max(0, ...perChoice.map((pieces) => pieces.length))
  const chunks: Record<string, unknown>[] = []
  if (options.emptyChoicesChunk) {
    chunks.push({ ...envelope, choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] })
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? perChoice : [...perChoice].reverse()
    for (const pieces of order) {
      const piece = pieces[round]
      if (piece !== undefined) chunks.push({ ...envelope, choices: [piece], ...usageField })
    }
  }
  if (options.includeUsage) chunks.push({ ...envelope, choices: [], usage: planUsage(plan) })
  return chunks
}

function choicePieces(plan: SimulatedPlan, choice: SimulatedChoice): Record<string, unknown>[] {
  const pieces: Record<string, unknown>[] = []
  if (plan.endpoint === 'chat') {
    pieces.push({ index: choice.index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null })
  }
  let offset = 0
  for (const token of choice.tokens) {
    const logprobs = plan.logprobs ? logprobsOf(plan, [token], offset) : null
    offset += token.length
    pieces.push(
      plan.endpoint === 'chat'
        ? { index: choice.index, delta: { content: token }, logprobs, finish_reason: null }
        : { index: choice.index, text: token, logprobs, finish_reason: null },
    )
  }
  pieces.push(
    plan.endpoint === 'chat'
      ? { index: choice.index, delta: {}, logprobs: null, finish_reason: choice.finishReason, stop_reason: null }
      : { index: choice.index, text: '', logprobs: null, finish_reason: choice.finishReason, stop_reason: null },
  )
  return pieces
}

/**
 * The bytes of an SSE stream of `payloads` (each one event's data: JSON text or `[DONE]`), cut into
 * writes as the quirks say.
 */
export function encodeSseWrites(payloads: readonly string[], quirks: SimulatedSseQuirks): Uint8Array[] {
  const eol = quirks.lineEnding === 'cr' ? '\r' : quirks.lineEnding === 'crlf' ? '\r\n' : '\n'
  const prefix = quirks.noSpaceAfterData ? 'data:' : 'data: '
  const heartbeat = quirks.heartbeat ? `: ping${eol}` : ''
  const perWrite = quirks.eventsPerWrite ?? 1
  const encoder = new TextEncoder()
  const keepAlive = (position: number) =>
    !quirks.emptyDataEvents ? '' : position % 2 === 0 ? `data:${eol}${eol}` : `data:   ${eol}${eol}`
  const writes: Uint8Array[] = []
  for (let start = 0; start < payloads.length; start += perWrite) {
    const text = payloads
      .slice(start, start + perWrite)
      .map((payload, offset) => `${heartbeat}${keepAlive(start + offset)}${prefix}${payload}${eol}${eol}`)
      .join('')
    writes.push(...cut(encoder.encode(text), quirks))
  }
  return writes
}

function cut(bytes: Uint8Array, quirks: SimulatedSseQuirks): Uint8Array[] {
  const cuts = new Set<number>()
  if (quirks.writeSize !== undefined) {
    for (let position = quirks.writeSize; position < bytes.length; position += quirks.writeSize) cuts.add(position)
  }
  if (quirks.splitCharacters) {
    // A lead byte 11xxxxxx starts a multi-byte character; cutting right after it splits the character.
    bytes.forEach((byte, position) => {
      if (byte >= 0xc0 && position + 1 < bytes.length) cuts.add(position + 1)
    })
  }
  const positions = [0, ...[...cuts].sort((a, b) => a - b), bytes.length]
  const pieces: Uint8Array[] = []
  for (let i = 0; i + 1 < positions.length; i++) {
    const from = positions[i] ?? 0
    const to = positions[i + 1] ?? bytes.length
    if (to > from) pieces.push(bytes.subarray(from, to))
  }
  return pieces
}
