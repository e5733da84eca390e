import type { LanguageModelV4FilePart, LanguageModelV4Prompt, LanguageModelV4TextPart } from '@ai-sdk/provider'
import { z } from 'zod'
import { InvalidRequestError } from '../errors.js'
import { messageText, type ChatMessage } from '../protocol/chat-message.js'

const textPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() })
const imagePartSchema = z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string() }) })

/**
 * OpenAI chat messages as an AI SDK prompt: `system` and `developer` become system messages, user
 * text and `image_url` parts become text and file parts, assistant turns their text. Tool traffic
 * (tool messages, assistant `tool_calls`) is refused rather than dropped, since a model answering
 * without it would answer another question.
 * @throws InvalidRequestError for a message the AI SDK prompt cannot carry.
 */
export function chatMessagesToPrompt(messages: readonly ChatMessage[]): LanguageModelV4Prompt {
  return messages.map((message, index) => {
    const param = `messages.${index}`
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: messageText(message.content) }
      case 'user':
        return { role: 'user', content: userParts(message.content, param) }
      case 'assistant': {
        if (message['tool_calls'] != null || message['function_call'] != null) {
          throw unsupported('assistant tool calls', param)
        }
        return { role: 'assistant', content: [{ type: 'text', text: messageText(message.content) }] }
      }
      default:
        throw unsupported(`${message.role} messages`, `${param}.role`)
    }
  })
}

type UserPart = LanguageModelV4TextPart | LanguageModelV4FilePart

function userParts(content: ChatMessage['content'], param: string): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  return (content ?? []).map((part, index) => {
    const text = textPartSchema.safeParse(part)
    if (text.success) return { type: 'text', text: text.data.text }
    const image = imagePartSchema.safeParse(part)
    if (image.success) return imagePart(image.data.image_url.url, `${param}.content.${index}`)
    throw unsupported(`content parts of type ${JSON.stringify(part.type)}`, `${param}.content.${index}`)
  })
}

function imagePart(url: string, param: string): LanguageModelV4FilePart {
  const data = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url)
  if (data?.[1] !== undefined && data[2] !== undefined) {
    return { type: 'file', mediaType: data[1], data: { type: 'data', data: data[2] } }
  }
  if (!URL.canParse(url)) throw new InvalidRequestError(`Invalid image URL.`, { param: `${param}.image_url.url` })
  return { type: 'file', mediaType: 'image', data: { type: 'url', url: new URL(url) } }
}

function unsupported(what: string, param: string): InvalidRequestError {
  return new InvalidRequestError(`The AI SDK backend does not support ${what}.`, { param, code: 'unsupported_content' })
}
