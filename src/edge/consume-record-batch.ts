import { BonbonError, describeError } from '../errors.js'
import type { PreferenceRecord } from '../log/preference-record.js'
import { parsePreferenceRecord } from '../log/preference-record-schema.js'
import { toRecordRows, type RecordRows } from '../log/record-schema.js'
import type { D1DatabaseBinding, QueueMessage, QueueMessageBatch, R2BucketBinding } from './cloudflare-bindings.js'
import { checkD1Schema, recordStatements } from './d1-record-store.js'

/** Where a batch of queued records is stored. */
export type RecordBatchTarget =
  | {
      readonly target: 'd1'
      readonly database: D1DatabaseBinding
      /** The binding's name, for messages. */
      readonly binding: string
    }
  | {
      readonly target: 'r2'
      readonly bucket: R2BucketBinding
      /** The binding's name, for messages. */
      readonly binding: string
      /** Key prefix of the objects written. */
      readonly prefix: string
    }

/** Options of {@link consumeRecordBatch}. */
export interface ConsumeRecordBatchOptions {
  /** Where the records go. */
  readonly target: RecordBatchTarget
  /** Told about every message sent back for retry, and why. @default console.error */
  readonly onError?: (error: BonbonError) => void
  /** The clock, for R2 object keys. @default () => new Date() */
  readonly now?: () => Date
  /** Makes the unique part of R2 object keys. @default crypto.randomUUID */
  readonly generateId?: () => string
}

/** What happened to a batch. */
export interface RecordBatchOutcome {
  /** Messages stored and acknowledged. */
  readonly stored: number
  /** Messages handed back to the queue with `retry()`. */
  readonly retried: number
}

interface Parsed {
  readonly message: QueueMessage
  readonly record: PreferenceRecord
  readonly rows: RecordRows
}

/**
 * The queue consumer of `log.kind: "queue"`: stores a batch of records in D1 (one transaction for
 * the batch, or one per record when the batch as a whole fails) or as one JSONL object in R2, then
 * acknowledges exactly the messages stored. Every other message is retried, never acknowledged
 * silently: after `max_retries` the queue moves it to its dead-letter queue, if one is configured.
 */
export async function consumeRecordBatch(
  batch: QueueMessageBatch,
  options: ConsumeRecordBatchOptions,
): Promise<RecordBatchOutcome> {
  const onError = options.onError ?? ((error: BonbonError) => console.error(`bonbon: ${error.message}`))
  let retried = 0
  const retry = (messages: readonly QueueMessage[], error: BonbonError) => {
    onError(error)
    for (const message of messages) message.retry()
    retried += messages.length
  }

  const parsed: Parsed[] = []
  for (const message of batch.messages) {
    try {
      const record = parsePreferenceRecord(message.body, `Queue message ${message.id}`)
      parsed.push({ message, record, rows: toRecordRows(record) })
    } catch (error) {
      retry([message], asBonbonError(error, `Queue message ${message.id} is unreadable`))
    }
  }
  if (parsed.length === 0) return { stored: 0, retried }

  const stored =
    options.target.target === 'd1'
      ? await storeInD1(parsed, options.target, retry)
      : await storeInR2(parsed, options.target, options, retry)
  return { stored, retried }
}

type Retry = (messages: readonly QueueMessage[], error: BonbonError) => void

async function storeInD1(
  parsed: readonly Parsed[],
  target: Extract<RecordBatchTarget, { target: 'd1' }>,
  retry: Retry,
): Promise<number> {
  const { database, binding } = target
  try {
    await checkD1Schema(database, binding)
  } catch (error) {
    retry(
      parsed.map((entry) => entry.message),
      asBonbonError(error, 'Cannot check the D1 schema'),
    )
    return 0
  }
  try {
    await database.batch(parsed.flatMap((entry) => recordStatements(database, entry.rows)))
    for (const entry of parsed) entry.message.ack()
    return parsed.length
  } catch {
    // One bad record must not hold back the others: fall back to one transaction per record.
  }
  let stored = 0
  for (const entry of parsed) {
    try {
      await database.batch(recordStatements(database, entry.rows))
      entry.message.ack()
      stored += 1
    } catch (error) {
      retry(
        [entry.message],
        new BonbonError(
          'log_write_failed',
          `Could not store record ${entry.record.requestId} in D1 (${binding}): ${describeError(error)}`,
          { cause: error },
        ),
      )
    }
  }
  return stored
}

async function storeInR2(
  parsed: readonly Parsed[],
  target: Extract<RecordBatchTarget, { target: 'r2' }>,
  options: ConsumeRecordBatchOptions,
  retry: Retry,
): Promise<number> {
  const now = (options.now ?? (() => new Date()))()
  const id = (options.generateId ?? (() => crypto.randomUUID()))()
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/')
  const time = now.toISOString().slice(11, 23).replaceAll(':', '').replace('.', '')
  const key = `${target.prefix}${day}/${time}-${id}.jsonl`
  const body = parsed.map((entry) => `${JSON.stringify(entry.record)}\n`).join('')
  try {
    await target.bucket.put(key, body, { httpMetadata: { contentType: 'application/x-ndjson' } })
  } catch (error) {
    retry(
      parsed.map((entry) => entry.message),
      new BonbonError('log_write_failed', `Could not write ${key} to R2 (${target.binding}): ${describeError(error)}`, {
        cause: error,
      }),
    )
    return 0
  }
  for (const entry of parsed) entry.message.ack()
  return parsed.length
}

function asBonbonError(error: unknown, context: string): BonbonError {
  if (BonbonError.isInstance(error)) return error
  return new BonbonError('log_write_failed', `${context}: ${describeError(error)}`, { cause: error })
}
