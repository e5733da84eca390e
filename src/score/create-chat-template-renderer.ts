import { Template } from '@huggingface/jinja'
import { InvalidOptionsError } from '../errors.js'
import { messageText, type ChatMessage } from '../protocol/chat-message.js'

/** Options of {@link createChatTemplateRenderer}. */
export interface ChatTemplateRendererOptions {
  /** The reward model's chat template (Jinja), as in its `tokenizer_config.json`. */
  chatTemplate: string
  /** Variables the template refers to (`bos_token`, `eos_token`, ...). */
  templateVariables?: Readonly<Record<string, string>>
}

/** Renders a scored conversation (prompt + candidate turn) into the text a reward model reads. */
export type ChatTemplateRenderer = (messages: readonly ChatMessage[]) => string

/**
 * Compiles a reward model's chat template once. The rendering has no generation prompt (the answer is
 * already there) and keeps the template's own `bos_token`: it is sent with `add_special_tokens: false`,
 * which is what vLLM does when it renders `messages` itself, so both input modes give the model the same
 * tokens with exactly one BOS (a doubled or missing BOS shifts Skywork-Reward-V2's scores).
 * @throws InvalidOptionsError when the template does not parse.
 */
export function createChatTemplateRenderer(options: ChatTemplateRendererOptions): ChatTemplateRenderer {
  let template: Template
  try {
    template = new Template(options.chatTemplate)
  } catch (error) {
    throw new InvalidOptionsError(`chatTemplate is not a valid Jinja template: ${String(error)}`, {
      key: 'chatTemplate',
      cause: error,
    })
  }
  const variables = { ...options.templateVariables }
  return (messages) =>
    template.render({
      ...variables,
      // Templates index `message['content']` as a string; parts other than text carry nothing an RM reads.
      messages: messages.map((message) => ({ role: message.role, content: messageText(message.content) })),
      add_generation_prompt: false,
    })
}
