import { z } from 'zod'
import { BonbonError } from '../errors.js'
import { chatMessageSchema } from '../protocol/chat-message.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import type { FanoutMode } from '../generate/backend.js'
import type { CandidateRecord, PreferenceRecord } from './preference-record.js'

// Objects rather than arrays so a new Endpoint or FanoutMode fails to compile here instead of
// being refused at write time.
const endpoints = { chat: 'chat', completions: 'completions' } as const satisfies Record<Endpoint, Endpoint>
const fanoutModes = { native: 'native', parallel: 'parallel' } as const satisfies Record<FanoutMode, FanoutMode>

const count = z.int().min(0)

/** A row of the `requests` table, as stored and as read back. */
export const requestRowSchema = z.object({
  request_id: z.string().min(1),
  created_at: z.iso.datetime({ offset: true }),
  endpoint: z.enum(endpoints),
  model: z.string(),
  n: z.int().min(1),
  fanout: z.enum(fanoutModes),
  reward_model: z.string(),
  chosen: count.nullable(),
  best: count.nullable(),
  worst: count.nullable(),
  prompt_tokens: count.nullable(),
  completion_tokens: count.nullable(),
  latency_ms: z.number(),
  degraded: z.string().nullable(),
  messages_json: z.string(),
  params_json: z.string(),
})

/** A row of the `candidates` table, as stored and as read back. */
export const candidateRowSchema = z.object({
  request_id: z.string().min(1),
  idx: count,
  text: z.string(),
  reward: z.number().nullable(),
  finish_reason: z.string().nullable(),
  completion_tokens: count.nullable(),
  logprob_sum: z.number().nullable(),
  latency_ms: z.number(),
  error: z.string().nullable(),
})

/** A `requests` row: snake_case columns, JSON text for messages and params. */
export type RequestRow = z.infer<typeof requestRowSchema>
/** A `candidates` row, keyed by (request_id, idx). */
export type CandidateRow = z.infer<typeof candidateRowSchema>

/** One preference record as table rows. */
export interface RecordRows {
  readonly request: RequestRow
  readonly candidates: readonly CandidateRow[]
}

/** Column order of `requests`, which is also the order of the `?` parameters in {@link upsertRequestSql}. */
export const requestColumns = Object.keys(requestRowSchema.shape) as ReadonlyArray<keyof RequestRow>
/** Column order of `candidates`, which is also the order of the `?` parameters in {@link insertCandidateSql}. */
export const candidateColumns = Object.keys(candidateRowSchema.shape) as ReadonlyArray<keyof CandidateRow>

const placeholders = (columns: readonly string[]) => columns.map(() => '?').join(', ')

/**
 * Inserts a request or, on a replay of the same `request_id`, overwrites it, so writing a record
 * twice never duplicates it. Positional parameters only, because D1 has no named ones.
 */
export const upsertRequestSql =
  `INSERT INTO requests (${requestColumns.join(', ')}) VALUES (${placeholders(requestColumns)}) ` +
  `ON CONFLICT (request_id) DO UPDATE SET ` +
  requestColumns
    .filter((column) => column !== 'request_id')
    .map((column) => `${column} = excluded.${column}`)
    .join(', ')

/** Removes a request's candidates before they are inserted again, since a replay may carry fewer. */
export const deleteCandidatesSql = 'DELETE FROM candidates WHERE request_id = ?'

/** Inserts one candidate row. */
export const insertCandidateSql =
  `INSERT INTO candidates (${candidateColumns.join(', ')}) VALUES (${placeholders(candidateColumns)})`

/** Reads the candidates of one request in index order. */
export const selectCandidatesSql =
  `SELECT ${candidateColumns.join(', ')} FROM candidates WHERE request_id = ? ORDER BY idx`

/** The values of a request row in {@link requestColumns} order, ready to bind. */
export function requestRowValues(row: RequestRow): Array<string | number | null> {
  return requestColumns.map((column) => row[column])
}

/** The values of a candidate row in {@link candidateColumns} order, ready to bind. */
export function candidateRowValues(row: CandidateRow): Array<string | number | null> {
  return candidateColumns.map((column) => row[column])
}

/** Which stored records to read or count. Every field narrows; none means all. */
export interface RecordFilter {
  /** Only records created at or after this instant (a Date, or an ISO string compared as text). */
  readonly since?: Date | string
  /** Only records created strictly before this instant (a Date, or an ISO string compared as text). */
  readonly until?: Date | string
  /** Only records for this model, exactly. */
  readonly model?: string
  /** Only records whose fan-out size is at least this. */
  readonly minN?: number
}

/** A WHERE clause with its positional parameters. */
export interface RecordQuery {
  /** `WHERE ...`, or an empty string when nothing narrows. */
  readonly where: string
  readonly params: ReadonlyArray<string | number>
}

const isoText = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString())

/**
 * Turns a filter into SQL. `created_at` is compared as text, which orders correctly for the UTC
 * `toISOString()` form bonbon writes, and lets SQLite use the `created_at` index.
 */
export function recordQuery(filter: RecordFilter = {}): RecordQuery {
  const clauses: string[] = []
  const params: Array<string | number> = []
  if (filter.since !== undefined) {
    clauses.push('created_at >= ?')
    params.push(isoText(filter.since))
  }
  if (filter.until !== undefined) {
    clauses.push('created_at < ?')
    params.push(isoText(filter.until))
  }
  if (filter.model !== undefined) {
    clauses.push('model = ?')
    params.push(filter.model)
  }
  if (filter.minN !== undefined) {
    clauses.push('n >= ?')
    params.push(filter.minN)
  }
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params }
}

// One code for both directions: a record that cannot become rows, or rows that cannot become a record.
function invalidRecord(message: string, cause?: unknown): BonbonError {
  return new BonbonError('invalid_record', message, { cause })
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')
}

function serialize(value: unknown, what: string, requestId: string): string {
  try {
    return JSON.stringify(value)
  } catch (error) {
    throw invalidRecord(`Record ${requestId}: ${what} cannot be serialized as JSON.`, error)
  }
}

/**
 * Maps a record to the rows that store it, validated against the same schemas used for reading,
 * so a record that could not be read back is refused before it reaches the database.
 * @throws BonbonError with code `invalid_record`.
 */
export function toRecordRows(record: PreferenceRecord): RecordRows {
  const requestId = record.requestId
  const request = requestRowSchema.safeParse({
    request_id: requestId,
    created_at: record.createdAt,
    endpoint: record.endpoint,
    model: record.model,
    n: record.n,
    fanout: record.fanout,
    reward_model: record.rewardModel,
    chosen: record.chosen,
    best: record.best,
    worst: record.worst,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    latency_ms: record.latencyMs,
    degraded: record.degraded,
    messages_json: serialize(record.messages, 'messages', requestId),
    params_json: serialize(record.params, 'params', requestId),
  } satisfies Record<keyof RequestRow, unknown>)
  if (!request.success) throw invalidRecord(`Record ${requestId} is invalid: ${describeIssues(request.error)}`)

  const seen = new Set<number>()
  const candidates = record.candidates.map((candidate) => {
    const row = candidateRowSchema.safeParse(toCandidateRow(requestId, candidate))
    if (!row.success) {
      throw invalidRecord(`Record ${requestId}, candidate ${candidate.index}: ${describeIssues(row.error)}`)
    }
    if (seen.has(row.data.idx)) throw invalidRecord(`Record ${requestId} repeats candidate index ${row.data.idx}.`)
    seen.add(row.data.idx)
    return row.data
  })
  return { request: request.data, candidates }
}

function toCandidateRow(requestId: string, candidate: CandidateRecord): Record<keyof CandidateRow, unknown> {
  return {
    request_id: requestId,
    idx: candidate.index,
    text: candidate.text,
    reward: candidate.reward,
    finish_reason: candidate.finishReason,
    completion_tokens: candidate.completionTokens,
    logprob_sum: candidate.logprobSum,
    latency_ms: candidate.latencyMs,
    error: candidate.error,
  }
}

const messagesSchema = z.array(chatMessageSchema)
const paramsSchema = z.record(z.string(), z.unknown())

function parseJsonColumn<T>(text: string, schema: z.ZodType<T>, what: string, requestId: string): T {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw invalidRecord(`Stored record ${requestId}: ${what} is not JSON.`, error)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw invalidRecord(`Stored record ${requestId}: ${what}: ${describeIssues(parsed.error)}`)
  return parsed.data
}

/**
 * Rebuilds a record from its stored rows. The rows come from outside the process (a database file
 * anyone may edit), so they are validated like any other input.
 * @throws BonbonError with code `invalid_record`.
 */
export function fromRecordRows(request: unknown, candidates: Iterable<unknown>): PreferenceRecord {
  const parsedRequest = requestRowSchema.safeParse(request)
  if (!parsedRequest.success) throw invalidRecord(`Stored request row is invalid: ${describeIssues(parsedRequest.error)}`)
  const row = parsedRequest.data
  const candidateRecords: CandidateRecord[] = []
  for (const candidate of candidates) {
    const parsed = candidateRowSchema.safeParse(candidate)
    if (!parsed.success) {
      throw invalidRecord(`Stored candidate of ${row.request_id} is invalid: ${describeIssues(parsed.error)}`)
    }
    const stored = parsed.data
    candidateRecords.push({
      index: stored.idx,
      text: stored.text,
      reward: stored.reward,
      finishReason: stored.finish_reason,
      completionTokens: stored.completion_tokens,
      logprobSum: stored.logprob_sum,
      latencyMs: stored.latency_ms,
      error: stored.error,
    })
  }
  return {
    requestId: row.request_id,
    createdAt: row.created_at,
    endpoint: row.endpoint,
    model: row.model,
    messages: parseJsonColumn(row.messages_json, messagesSchema, 'messages_json', row.request_id),
    params: parseJsonColumn(row.params_json, paramsSchema, 'params_json', row.request_id),
    n: row.n,
    fanout: row.fanout,
    rewardModel: row.reward_model,
    candidates: candidateRecords,
    chosen: row.chosen,
    best: row.best,
    worst: row.worst,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    latencyMs: row.latency_ms,
    degraded: row.degraded,
  }
}
