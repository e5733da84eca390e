import type { BestOfNResult } from '../best-of-n.js'
import { bonbonSummary, returnedCandidates } from './bonbon-summary.js'

/**
 * Builds the OpenAI response body for a finished run: the upstream's own envelope and choice
 * objects (nothing the backend added is dropped), the chosen answer as `choices[0]`, the next best
 * after it when the client asked for `n` > 1, and `usage` summed over every candidate drawn.
 */
export function completionResponse(result: BestOfNResult): Record<string, unknown> {
  const { request, generation } = result
  const choices = returnedCandidates(result).map((candidateIndex, position) => ({
    ...generation.candidates[candidateIndex]?.rawChoice,
    index: position,
    ...(request.hideLogprobs ? { logprobs: null } : {}),
  }))
  const body: Record<string, unknown> = {
    ...generation.envelope,
    id: stringOr(generation.envelope['id'], `${request.endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${result.requestId}`),
    object: request.endpoint === 'chat' ? 'chat.completion' : 'text_completion',
    created: numberOr(generation.envelope['created'], Math.floor(Date.now() / 1000)),
    model: stringOr(generation.envelope['model'], request.model),
    choices,
  }
  // Missing is not zero: without upstream counts the field is left out rather than invented.
  if (generation.usage) body['usage'] = generation.usage
  if (request.returnCandidates) body['bonbon'] = bonbonSummary(result)
  return body
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}
