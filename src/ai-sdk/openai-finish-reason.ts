import type { LanguageModelV4FinishReason } from '@ai-sdk/provider'

const openaiNames = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
} as const

/**
 * An AI SDK finish reason as OpenAI names it (`stop`, `length`, `content_filter`, `tool_calls`).
 * OpenAI has no name for `error`, `interrupted` or `other`: those keep the provider's raw reason
 * when it gave one, else the AI SDK's name, rather than pretend the answer stopped normally.
 */
export function openaiFinishReason(finishReason: LanguageModelV4FinishReason): string {
  const { unified, raw } = finishReason
  switch (unified) {
    case 'stop':
    case 'length':
    case 'content-filter':
    case 'tool-calls':
      return openaiNames[unified]
    default:
      return raw ?? unified
  }
}
