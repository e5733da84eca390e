import { z } from 'zod'

/** A content part of a chat message; only text parts carry text a reward model can read. */
const contentPartSchema = z.looseObject({ type: z.string() })

/**
 * A chat message as OpenAI defines it. Tolerant: unknown roles' fields pass through, and content may be
 * a string, a list of parts, or null (an assistant turn that only calls tools).
 */
export const chatMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  name: z.string().optional(),
})

export type ChatMessage = z.infer<typeof chatMessageSchema>

/** The text of a message's content: a string as is, text parts joined, anything else empty. */
export function messageText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part) => (part.type === 'text' && typeof part['text'] === 'string' ? part['text'] : ''))
    .join('')
}
