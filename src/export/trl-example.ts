import type { ChatMessage } from '../protocol/chat-message.js'
import { lastUserText } from '../util/last-user-text.js'
import type { TrlStyle } from './export-format.js'
import type { PreferencePair } from './preference-pair.js'

/** One assistant turn, the form TRL expects for `chosen` and `rejected` in conversational data. */
export interface AssistantMessage {
  readonly role: 'assistant'
  /** The answer's text. */
  readonly content: string
}

/** A line of TRL's conversational preference format. */
export interface TrlConversationalExample {
  /** The messages sent to the gateway, as logged. */
  readonly prompt: readonly ChatMessage[]
  /** The best answer, alone. */
  readonly chosen: readonly [AssistantMessage]
  /** The worst scored answer, alone. */
  readonly rejected: readonly [AssistantMessage]
}

/** A line of TRL's standard (plain text) preference format. */
export interface TrlStandardExample {
  /** The text of the last user message; earlier turns and the system prompt are not included. */
  readonly prompt: string
  /** The best answer's text. */
  readonly chosen: string
  /** The worst scored answer's text. */
  readonly rejected: string
}

/** A line of TRL's preference format, in either style. */
export type TrlExample = TrlConversationalExample | TrlStandardExample

/**
 * Whether a standard-style line drops part of the prompt: anything besides one user message (a
 * system prompt, earlier turns) is left out when the prompt is flattened to the last user message.
 */
export function isFlattenedForStandard(messages: readonly ChatMessage[]): boolean {
  return messages.length !== 1 || messages[0]?.role !== 'user'
}

/**
 * Turns a pair into a line of TRL's preference format (`DPOTrainer`, `loss_type="ipo"` for BoNBoN).
 * The prompt is never repeated in `chosen` or `rejected`: they hold the answer alone, as TRL's
 * "explicit prompt" format wants.
 *
 * `standard` renders the prompt as the text of the last user message. A multi-turn conversation is
 * flattened by keeping only that message, so the standard style suits single-turn logs (and base
 * models); keep multi-turn logs conversational, where TRL applies the chat template to every turn.
 * @see https://huggingface.co/docs/trl/dataset_formats#preference
 */
export function toTrlExample(pair: PreferencePair, style: TrlStyle = 'conversational'): TrlExample {
  if (style === 'standard') {
    return { prompt: lastUserText(pair.record.messages), chosen: pair.best.text, rejected: pair.worst.text }
  }
  return {
    prompt: pair.record.messages,
    chosen: [{ role: 'assistant', content: pair.best.text }],
    rejected: [{ role: 'assistant', content: pair.worst.text }],
  }
}
