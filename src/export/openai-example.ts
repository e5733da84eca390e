import type { ChatMessage } from '../protocol/chat-message.js'
import type { PreferencePair } from './preference-pair.js'
import type { AssistantMessage } from './trl-example.js'

/** A line of OpenAI's preference fine-tuning JSONL (`method: {"type": "dpo"}`). */
export interface OpenAIExample {
  /** The conversation up to the answer: the logged messages. */
  readonly input: { readonly messages: readonly ChatMessage[] }
  /** The best answer. */
  readonly preferred_output: readonly [AssistantMessage]
  /** The worst scored answer. */
  readonly non_preferred_output: readonly [AssistantMessage]
}

/**
 * Turns a pair into a line of OpenAI's preference fine-tuning format, which Together and Fireworks
 * accept too. These services train DPO (logistic), so their `beta` is not BoNBoN's β*ₙ.
 * @see https://platform.openai.com/docs/guides/direct-preference-optimization
 */
export function toOpenAIExample(pair: PreferencePair): OpenAIExample {
  return {
    input: { messages: pair.record.messages },
    preferred_output: [{ role: 'assistant', content: pair.best.text }],
    non_preferred_output: [{ role: 'assistant', content: pair.worst.text }],
  }
}
