import type { LanguageModelV4Prompt } from '@ai-sdk/provider'
import type { ChatMessage } from '../protocol/chat-message.js'

/**
 * An AI SDK prompt as OpenAI chat messages, for a reward model to read: text parts only, joined per
 * message. Files, reasoning and tool traffic carry nothing a text reward model scores, so a message
 * without text (a tool result, an assistant turn that only called tools) is left out.
 */
export function promptToChatMessages(prompt: LanguageModelV4Prompt): ChatMessage[] {
  const messages: ChatMessage[] = []
  for (const message of prompt) {
    if (message.role === 'system') {
      messages.push({ role: 'system', content: message.content })
      continue
    }
    if (message.role === 'tool') continue
    const texts = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []))
    if (texts.length > 0) messages.push({ role: message.role, content: texts.join('') })
  }
  return messages
}
