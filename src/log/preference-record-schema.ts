import { z } from 'zod'
import { BonbonError } from '../errors.js'
import type { FanoutMode } from '../generate/backend.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import { chatMessageSchema } from '../protocol/chat-message.js'
import type { CandidateRecord, PreferenceRecord } from './preference-record.js'

// Objects rather than arrays so a new Endpoint or FanoutMode fails to compile here.
const endpoints = { chat: 'chat', completions: 'completions' } as const satisfies Record<Endpoint, Endpoint>
const fanoutModes = { native: 'native', parallel: 'parallel' } as const satisfies Record<FanoutMode, FanoutMode>

const count = z.int().min(0)
/** Unknown values are null; an absent key (a writer that dropped nulls) means the same. */
const unknownAs = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? null)

/** A candidate of a record in its JSON form (JSONL exports, queue messages). */
export const candidateRecordSchema = z.object({
  index: count,
  text: z.string(),
  reward: unknownAs(z.number()),
  finishReason: unknownAs(z.string()),
  completionTokens: unknownAs(count),
  logprobSum: unknownAs(z.number()),
  latencyMs: z.number(),
  error: unknownAs(z.string()),
}) satisfies z.ZodType<CandidateRecord>

/**
 * A {@link PreferenceRecord} in its JSON form: a line of a `jsonl` export, an R2 object's line, a
 * queue message. Unknown keys are dropped; nullable fields may be absent.
 */
export const preferenceRecordSchema = z.object({
  requestId: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  endpoint: z.enum(endpoints),
  model: z.string(),
  messages: z.array(chatMessageSchema),
  params: z.record(z.string(), z.unknown()),
  n: z.int().min(1),
  fanout: z.enum(fanoutModes),
  rewardModel: z.string(),
  candidates: z.array(candidateRecordSchema),
  chosen: unknownAs(count),
  best: unknownAs(count),
  worst: unknownAs(count),
  promptTokens: unknownAs(count),
  completionTokens: unknownAs(count),
  latencyMs: z.number(),
  degraded: unknownAs(z.string()),
}) satisfies z.ZodType<PreferenceRecord>

/**
 * Validates a record that arrived as JSON.
 * @param where Where it came from, for the message (`records.jsonl line 12`, `queue message 3f2…`).
 * @throws BonbonError with code `invalid_record`, naming the first fields at fault.
 */
export function parsePreferenceRecord(value: unknown, where: string): PreferenceRecord {
  const parsed = preferenceRecordSchema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
  throw new BonbonError('invalid_record', `${where} is not a preference record: ${issues}`)
}
