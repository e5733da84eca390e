/**
 * The answers a RATE audit rewrites: from the preference log (each request's chosen answer, which
 * is what the gateway served), from a JSONL file of `{"prompt", "response"}` lines, or from
 * `bonbon export --format jsonl` (raw preference records, told apart by their shape).
 * @module
 */
import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import type { PreferenceRecord } from '../log/preference-record.js'
import { chatMessageSchema, type ChatMessage } from '../protocol/chat-message.js'

/** One answer to audit. */
export interface RateAuditItem {
  /** Where it came from: the request id, or `line N` of a file. */
  readonly id: string
  /** The conversation the answer replies to. */
  readonly prompt: readonly ChatMessage[]
  /** The answer. */
  readonly response: string
  /** The model that wrote it, when known (a logged record). */
  readonly model?: string | undefined
}

/** Items read from a source, and what was left out. */
export interface RateAuditSource {
  /** The items, in source order. */
  readonly items: readonly RateAuditItem[]
  /** Records left out because they have no chosen answer, or an empty one. */
  readonly skipped: number
}

/**
 * One item per record: its messages and its chosen candidate. The chosen answer rather than every
 * candidate, because the audit asks what the reward model rewards in what the gateway serves, and
 * because a record's candidates share a prompt and are not independent items.
 * @param limit Stop after this many items (records are pulled lazily). @default all
 */
export function rateAuditItemsFromRecords(records: Iterable<PreferenceRecord>, limit = Infinity): RateAuditSource {
  const items: RateAuditItem[] = []
  let skipped = 0
  for (const record of records) {
    if (items.length >= limit) break
    const item = itemOfRecord(record, record.requestId)
    if (item === undefined) skipped += 1
    else items.push(item)
  }
  return { items, skipped }
}

const pairLineSchema = z.looseObject({
  prompt: z.union([z.string(), z.array(chatMessageSchema).min(1)]),
  response: z.string(),
})

const recordLineSchema = z.looseObject({
  requestId: z.string().nullish(),
  model: z.string().nullish(),
  messages: z.array(chatMessageSchema),
  candidates: z.array(z.looseObject({ index: z.number().int().min(0), text: z.string() })),
  chosen: z.number().int().min(0).nullable(),
})

/**
 * Reads a JSONL source: each non-blank line is `{"prompt": "..." | [messages], "response": "..."}`
 * or a preference record as `bonbon export --format jsonl` writes it.
 * @param name The file name, for error messages.
 * @param limit Stop after this many items. @default all
 * @throws InvalidOptionsError naming the first bad line (not JSON, or neither shape).
 */
export function parseRateAuditSource(text: string, name: string, limit = Infinity): RateAuditSource {
  const items: RateAuditItem[] = []
  let skipped = 0
  const lines = text.split('\n')
  for (let index = 0; index < lines.length && items.length < limit; index++) {
    const line = (lines[index] ?? '').trim()
    if (line === '') continue
    const where = `${name} line ${index + 1}`
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch (error) {
      throw new InvalidOptionsError(`${where} is not JSON: ${(error as Error).message}`, { key: 'source' })
    }
    const item = parseLine(json, where, `line ${index + 1}`)
    if (item === undefined) skipped += 1
    else items.push(item)
  }
  return { items, skipped }
}

function parseLine(json: unknown, where: string, id: string): RateAuditItem | undefined {
  const isRecord = typeof json === 'object' && json !== null && 'candidates' in json
  if (isRecord) {
    const record = recordLineSchema.safeParse(json)
    if (!record.success) throw badLine(where, `a preference record with ${describeIssue(record.error)}`)
    return itemOfRecord(record.data, record.data.requestId ?? id)
  }
  const pair = pairLineSchema.safeParse(json)
  if (!pair.success) {
    throw badLine(where, describeIssue(pair.error))
  }
  const { prompt, response } = pair.data
  return { id, prompt: typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt, response }
}

function itemOfRecord(
  record: Pick<PreferenceRecord, 'messages' | 'chosen'> & {
    readonly model?: string | null | undefined
    readonly candidates: readonly { readonly index: number; readonly text: string }[]
  },
  id: string,
): RateAuditItem | undefined {
  if (record.chosen === null) return undefined
  const chosen = record.candidates.find((candidate) => candidate.index === record.chosen)
  if (chosen === undefined || chosen.text.trim() === '') return undefined
  return { id, prompt: record.messages, response: chosen.text, model: record.model ?? undefined }
}

function badLine(where: string, detail: string): InvalidOptionsError {
  return new InvalidOptionsError(
    `${where}: expected {"prompt": "..." or [messages], "response": "..."} or a record from ` +
      `\`bonbon export --format jsonl\`; got ${detail}.`,
    { key: 'source' },
  )
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (issue === undefined) return 'an invalid line'
  const path = issue.path.join('.')
  return path === '' ? issue.message.toLowerCase() : `"${path}": ${issue.message.toLowerCase()}`
}
