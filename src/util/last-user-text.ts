import { messageText, type ChatMessage } from '../protocol/chat-message.js'

/**
 * The text of the last user message, or an empty string when there is none: the question a
 * (question, answer) reward model reads, and the key a replayed pool is looked up by.
 */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]
    if (message?.role === 'user') return messageText(message.content)
  }
  return ''
}
