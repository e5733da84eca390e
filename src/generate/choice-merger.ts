import type { Endpoint } from '../protocol/best-of-n-request.js'

/** The pieces of one streamed choice gathered so far. */
export interface ChoiceState {
  readonly index: number
  /** Chat: the message fields merged from every `delta`. */
  readonly message: Record<string, unknown>
  /** Chat: tool calls by their own `index`, their `function.arguments` fragments concatenated. */
  readonly toolCalls: Map<number, Record<string, unknown>>
  /** Legacy completions: the `text` fragments concatenated. */
  text: string
  /** Log-probabilities with every list (`content`, `token_logprobs`, ...) concatenated; null if none came. */
  logprobs: Record<string, unknown> | null
  finishReason: string | null
  /** The clock reading when `finish_reason` arrived. */
  completedAt: number | undefined
  /** Any other choice fields the backend added (`stop_reason`, ...): the last non-null value wins. */
  readonly extra: Record<string, unknown>
}

/** A fresh, empty choice. */
export function newChoiceState(index: number): ChoiceState {
  return {
    index,
    message: {},
    toolCalls: new Map(),
    text: '',
    logprobs: null,
    finishReason: null,
    completedAt: undefined,
    extra: {},
  }
}

/** Folds one chunk's piece of a choice into its state. */
export function mergeChoiceChunk(
  state: ChoiceState,
  piece: Readonly<Record<string, unknown>>,
  now: () => number,
): void {
  for (const [key, value] of Object.entries(piece)) {
    if (key === 'index') continue
    if (key === 'delta') {
      if (isRecord(value)) mergeDelta(state, value)
    } else if (key === 'text') {
      if (typeof value === 'string') state.text += value
    } else if (key === 'logprobs') {
      if (isRecord(value)) state.logprobs = appendLists(state.logprobs, value)
    } else if (key === 'finish_reason') {
      if (typeof value === 'string' && state.finishReason === null) {
        state.finishReason = value
        state.completedAt = now()
      }
    } else if (value !== null || !(key in state.extra)) {
      state.extra[key] = value
    }
  }
}

/** The choice in the form a non-streaming response would have given it. */
export function rebuildChoice(state: ChoiceState, endpoint: Endpoint): Record<string, unknown> {
  const base: Record<string, unknown> = { index: state.index }
  if (endpoint === 'chat') {
    const message: Record<string, unknown> = { role: 'assistant', content: null, ...state.message }
    if (state.toolCalls.size > 0) {
      message['tool_calls'] = [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call)
    }
    base['message'] = message
  } else {
    base['text'] = state.text
  }
  return { ...base, logprobs: state.logprobs, finish_reason: state.finishReason, ...state.extra }
}

function mergeDelta(state: ChoiceState, delta: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'tool_calls') {
      if (Array.isArray(value)) mergeToolCalls(state.toolCalls, value)
      continue
    }
    const previous = state.message[key]
    // `content`, `refusal`, `reasoning_content` arrive in fragments; `role` arrives whole, once.
    if (typeof value === 'string' && key !== 'role' && typeof previous === 'string') {
      state.message[key] = previous + value
    } else if (value !== null || previous === undefined) {
      state.message[key] = value
    }
  }
}

function mergeToolCalls(calls: Map<number, Record<string, unknown>>, deltas: readonly unknown[]): void {
  for (const [position, delta] of deltas.entries()) {
    if (!isRecord(delta)) continue
    const index = typeof delta['index'] === 'number' ? delta['index'] : position
    const call = calls.get(index) ?? {}
    for (const [key, value] of Object.entries(delta)) {
      if (key === 'index') continue
      if (key === 'function' && isRecord(value)) {
        call['function'] = mergeFunction(isRecord(call['function']) ? call['function'] : {}, value)
      } else if (value !== null || !(key in call)) {
        call[key] = value
      }
    }
    calls.set(index, call)
  }
}

function mergeFunction(
  previous: Readonly<Record<string, unknown>>,
  delta: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...previous }
  for (const [key, value] of Object.entries(delta)) {
    const before = merged[key]
    // Only `arguments` is streamed in fragments; some servers repeat `name` in every delta.
    if (key === 'arguments' && typeof value === 'string' && typeof before === 'string') merged[key] = before + value
    else if (value !== null || before === undefined) merged[key] = value
  }
  return merged
}

/**
 * Appends a chunk's log-probability lists to the state's, in place: a long answer brings one list
 * entry per chunk, and copying the whole list each time made the merge quadratic in its length.
 * The state owns its object and lists (copied from the first chunk), so no chunk is ever mutated.
 */
function appendLists(
  state: Record<string, unknown> | null,
  next: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged = state ?? {}
  for (const [key, value] of Object.entries(next)) {
    const before = merged[key]
    if (Array.isArray(value) && Array.isArray(before)) {
      for (const entry of value) before.push(entry)
    } else if (Array.isArray(value)) {
      merged[key] = [...value]
    } else if (value !== null || before === undefined) {
      merged[key] = value
    }
  }
  return merged
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
