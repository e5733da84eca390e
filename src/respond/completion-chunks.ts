import type { BestOfNResult } from '../best-of-n.js'
import { bonbonSummary, returnedCandidates } from './bonbon-summary.js'
import { completionResponse } from './completion-response.js'
import { splitText } from './split-text.js'

/** Characters per content delta when replaying the chosen answer. */
const deltaSize = 32

/**
 * The OpenAI stream chunks that replay a finished run: per returned choice a role chunk, content
 * deltas and a finish chunk, then a usage chunk when the client asked for one (`include_usage`).
 * With `return_candidates`, the last chunk carries the `bonbon` summary.
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
    const finish = candidate.finishReason ?? 'stop'
    if (!chat) {
      for (const text of splitText(candidate.text, deltaSize)) {
        chunks.push(chunk({ index: position, text, logprobs: null, finish_reason: null }))
      }
      chunks.push(chunk({ index: position, text: '', logprobs: null, finish_reason: finish }))
      return
    }
    chunks.push(chunk({ index: position, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }))
    for (const content of splitText(candidate.text, deltaSize)) {
      chunks.push(chunk({ index: position, delta: { content }, logprobs: null, finish_reason: null }))
    }
    const toolCalls = toolCallsOf(candidate.rawChoice)
    if (toolCalls.length > 0) {
      chunks.push(chunk({ index: position, delta: { tool_calls: toolCalls }, logprobs: null, finish_reason: null }))
    }
    chunks.push(chunk({ index: position, delta: {}, logprobs: null, finish_reason: finish }))
  })
  if (request.includeUsage && generation.usage) {
    chunks.push({ ...head, choices: [], usage: generation.usage })
  }
  const last = chunks[chunks.length - 1]
  if (request.returnCandidates && last) last['bonbon'] = bonbonSummary(result)
  return chunks
}

/** Tool calls of a chat choice, indexed as stream deltas require. */
function toolCallsOf(rawChoice: Readonly<Record<string, unknown>> | undefined): Record<string, unknown>[] {
  const message = rawChoice?.['message']
  if (typeof message !== 'object' || message === null) return []
  const calls = (message as Record<string, unknown>)['tool_calls']
  if (!Array.isArray(calls)) return []
  return calls.map((call: unknown, index) => ({ index, ...(typeof call === 'object' && call !== null ? call : {}) }))
}
