import type { BestOfNResult } from '../best-of-n.js'
import type { Candidate } from '../generate/backend.js'
import { bonbonSummary, returnedCandidates } from './bonbon-summary.js'
import { completionResponse } from './completion-response.js'
import { splitText } from './split-text.js'

/** Characters per text delta when replaying the chosen answer. */
const deltaSize = 32

/** Choice fields the chunks rebuild themselves; every other one rides on the finish chunk. */
const choiceKeys = new Set(['index', 'message', 'delta', 'text', 'logprobs', 'finish_reason'])

/**
 * The OpenAI stream chunks that replay a finished run: per returned choice a role chunk, deltas of
 * every field of the chosen message (reasoning first, then content, refusal, tool calls, ...) and a
 * finish chunk, then a usage chunk when the client asked for one (`include_usage`). With
 * `return_candidates`, the last chunk carries the `bonbon` summary. The stream says what the JSON
 * answer would have said: nothing the upstream sent is dropped.
 */
export function completionChunks(result: BestOfNResult): Record<string, unknown>[] {
  const { request, generation } = result
  const chat = request.endpoint === 'chat'
  const body = completionResponse({ ...result, request: { ...request, returnCandidates: false } })
  const { choices: _choices, usage: _usage, ...envelope } = body
  const head = { ...envelope, object: chat ? 'chat.completion.chunk' : 'text_completion' }
  const chunk = (choice: Record<string, unknown>) => ({
    ...head,
    choices: [choice],
    ...(request.includeUsage ? { usage: null } : {}),
  })

  const chunks: Record<string, unknown>[] = []
  returnedCandidates(result).forEach((candidateIndex, position) => {
    const candidate = generation.candidates[candidateIndex]
    if (!candidate) return
    const raw = candidate.rawChoice ?? {}
    const finish = candidate.finishReason ?? 'stop'
    // The choice's log-probabilities go whole on its first text chunk (or, with no text, on the
    // finish chunk): a client that concatenates them gets exactly the JSON answer's list.
    let logprobs = request.hideLogprobs ? null : (raw['logprobs'] ?? null)
    const takeLogprobs = () => {
      const taken = logprobs
      logprobs = null
      return taken
    }
    const extra = choiceExtras(raw)
    if (!chat) {
      for (const text of splitText(candidate.text, deltaSize)) {
        chunks.push(chunk({ index: position, text, logprobs: takeLogprobs(), finish_reason: null }))
      }
      chunks.push(chunk({ index: position, text: '', logprobs: takeLogprobs(), finish_reason: finish, ...extra }))
      return
    }
    chunks.push(chunk({ index: position, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }))
    for (const delta of messageDeltas(candidate)) {
      const carries = typeof delta['content'] === 'string'
      chunks.push(chunk({ index: position, delta, logprobs: carries ? takeLogprobs() : null, finish_reason: null }))
    }
    chunks.push(chunk({ index: position, delta: {}, logprobs: takeLogprobs(), finish_reason: finish, ...extra }))
  })
  if (request.includeUsage && generation.usage) {
    chunks.push({ ...head, choices: [], usage: generation.usage })
  }
  const last = chunks[chunks.length - 1]
  if (request.returnCandidates && last) last['bonbon'] = bonbonSummary(result)
  return chunks
}

/**
 * The deltas that rebuild a chat candidate's message: every string field cut into pieces that never
 * split a character, any other field (`tool_calls`, `audio`, `annotations`, ...) whole in one delta.
 * Reasoning comes first because reasoning models (vLLM's `reasoning_content`, `reasoning`) stream
 * it before the answer; tool calls come last, after the text that introduces them, as upstreams do.
 */
function messageDeltas(candidate: Candidate): Record<string, unknown>[] {
  const message = candidate.rawChoice?.['message']
  const fields: Record<string, unknown> = isRecord(message) ? { ...message } : {}
  // The candidate's text is the content as plain text, even when the upstream sent content parts.
  fields['content'] = candidate.text
  const keys = Object.keys(fields).filter((key) => key !== 'role' && key !== 'tool_calls')
  const ordered = [
    ...keys.filter((key) => key.startsWith('reasoning')),
    ...keys.filter((key) => !key.startsWith('reasoning')),
    'tool_calls',
  ]
  const deltas: Record<string, unknown>[] = []
  for (const key of ordered) {
    const value = fields[key]
    if (value === null || value === undefined) continue
    if (typeof value === 'string') {
      for (const piece of splitText(value, deltaSize)) deltas.push({ [key]: piece })
    } else if (key === 'tool_calls') {
      const calls = toolCallDeltas(value)
      if (calls.length > 0) deltas.push({ tool_calls: calls })
    } else {
      deltas.push({ [key]: value })
    }
  }
  return deltas
}

/** Tool calls of a chat message, indexed as stream deltas require. */
function toolCallDeltas(calls: unknown): Record<string, unknown>[] {
  if (!Array.isArray(calls)) return []
  return calls.map((call: unknown, index) => ({ index, ...(isRecord(call) ? call : {}) }))
}

/** Choice fields the upstream added (vLLM's `stop_reason`, Azure's `content_filter_results`, ...). */
function choiceExtras(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !choiceKeys.has(key)))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
