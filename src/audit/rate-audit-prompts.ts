/**
 * What the rewriter and the classifier of a RATE audit are asked, and how their answers are read.
 * The wording is part of every cache key through {@link rateTemplateVersion}: change one, bump the other.
 * @module
 */
import { z } from 'zod'
import { messageText, type ChatMessage } from '../protocol/chat-message.js'
import { formatThreshold, type CustomRateAttribute, type RateAttribute } from './rate-attribute.js'

/** Version of the templates below; part of every cache key, so a new wording is never served old outputs. */
export const rateTemplateVersion = 'rate-templates-1'

/** Sampling temperature of rewrites: the paper's (reference/rate.md §4, "Rewriting"). */
export const rewriteTemperature = 0.7

/** Classifications are deterministic where the server allows it. */
export const classifyTemperature = 0

const rewriterSystem =
  'You rewrite answers for a controlled experiment. Change only what you are asked to change and keep ' +
  'everything else (meaning, facts, tone, style, formatting, language) as it is. Reply with the rewritten ' +
  'answer only: no preamble, no quotation marks, no comments.'

const classifierSystem =
  'You label answers for a controlled experiment. Judge only the attribute you are asked about. ' +
  'Reply with JSON only.'

/** The conversation an answer replies to, as one text: the user's message alone, or role-tagged turns. */
export function renderConversation(messages: readonly ChatMessage[]): string {
  if (messages.length === 1 && messages[0]?.role === 'user') return messageText(messages[0].content)
  return messages.map((message) => `${message.role}: ${messageText(message.content)}`).join('\n\n')
}

/** The chat messages asking for a rewrite of `text` (an answer to `prompt`) with attribute value `target`. */
export function rewriteMessages(attribute: RateAttribute, target: boolean, prompt: string, text: string): ChatMessage[] {
  const instruction =
    attribute.kind === 'length' ? lengthInstruction(attribute.threshold, target) : customInstruction(attribute, target)
  const user = [
    instruction,
    '',
    section('question', prompt),
    '',
    section('answer', text),
    '',
    'Reply with the rewritten answer only.',
  ].join('\n')
  return [
    { role: 'system', content: rewriterSystem },
    { role: 'user', content: user },
  ]
}

/** The chat messages asking a classifier for W of `text` under a custom attribute. */
export function classifyMessages(attribute: CustomRateAttribute, prompt: string, text: string): ChatMessage[] {
  const user = [
    'Classify the answer below on one attribute.',
    `Attribute: ${attribute.description}`,
    `W = 1 means: ${attribute.positive}`,
    `W = 0 means: ${attribute.negative}`,
    '',
    section('question', prompt),
    '',
    section('answer', text),
    '',
    'Reply with JSON only: {"w": 1} if the answer is W = 1, {"w": 0} if it is W = 0.',
  ].join('\n')
  return [
    { role: 'system', content: classifierSystem },
    { role: 'user', content: user },
  ]
}

const labelSchema = z.looseObject({
  w: z.union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.boolean()]),
})

/**
 * Reads a classifier's answer: `{"w": 0|1}` anywhere in it (code fences, prose around it, `true`
 * or `"1"` tolerated), else a bare 0 or 1. Anything else is null (undecided), never a guess.
 */
export function parseClassifierAnswer(answer: string): boolean | null {
  for (const candidate of answer.match(/\{[^{}]*\}/g) ?? []) {
    let json: unknown
    try {
      json = JSON.parse(candidate)
    } catch {
      continue
    }
    const parsed = labelSchema.safeParse(json)
    if (parsed.success) return parsed.data.w === 1 || parsed.data.w === '1' || parsed.data.w === true
  }
  const loose = /"?w"?\s*[:=]\s*"?([01])\b/.exec(answer) ?? /^\s*([01])\s*$/.exec(answer)
  return loose === null ? null : loose[1] === '1'
}

/**
 * Reads a rewriter's answer: trimmed, without an `<answer>` wrapper or code fence the model echoed
 * around the whole text. Null when nothing is left.
 */
export function cleanRewrite(answer: string): string | null {
  let text = answer.trim()
  const wrapped = /^<answer>\s*([\s\S]*?)\s*<\/answer>$/.exec(text) ?? /^```[^\n]*\n([\s\S]*?)\n```$/.exec(text)
  if (wrapped !== null) text = (wrapped[1] ?? '').trim()
  return text === '' ? null : text
}

function lengthInstruction(threshold: number, target: boolean): string {
  const limit = formatThreshold(threshold)
  return target
    ? `Rewrite the answer below so that it is substantially longer: well over ${limit} characters. ` +
        'Elaborate on what it already says; do not change its claims, tone, style, formatting or language.'
    : `Rewrite the answer below so that it is substantially shorter: well under ${limit} characters. ` +
        'Keep its main points; do not change its claims, tone, style, formatting or language.'
}

function customInstruction(attribute: CustomRateAttribute, target: boolean): string {
  return [
    `Rewrite the answer below so that it has this attribute value. Attribute: ${attribute.description}`,
    `Target: ${target ? attribute.positive : attribute.negative}`,
    `The answer must no longer be: ${target ? attribute.negative : attribute.positive}`,
    'Change only what reaching the target needs; keep everything else (content, facts, length, formatting, ' +
      'language) as close to the original as you can.',
  ].join('\n')
}

function section(tag: 'question' | 'answer', text: string): string {
  return `<${tag}>\n${text}\n</${tag}>`
}
