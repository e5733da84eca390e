import type { PreferenceRecord } from '../log/preference-record.js'
import type { ChatMessage } from '../protocol/chat-message.js'
import { redactText } from './redact.js'

/**
 * A copy of `record` whose prompt (every string in its messages), parameters (OpenAI's `user`,
 * `metadata`, ...) and candidates' texts and errors went through {@link redactText}. Ids, numbers
 * and the model name are kept as they are.
 */
export function redactRecord(record: PreferenceRecord): PreferenceRecord {
  return {
    ...record,
    messages: record.messages.map((message) => redactStrings(message) as ChatMessage),
    params: redactStrings(record.params) as Record<string, unknown>,
    candidates: record.candidates.map((candidate) => ({
      ...candidate,
      text: redactText(candidate.text),
      error: candidate.error === null ? null : redactText(candidate.error),
    })),
  }
}

// Depth is bounded: the request body was read with a nesting limit (readJsonBody).
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value)
  if (Array.isArray(value)) return value.map(redactStrings)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redactStrings(entry)]))
  }
  return value
}
