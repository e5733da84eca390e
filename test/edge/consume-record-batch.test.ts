import { describe, expect, it } from 'vitest'
import type { QueueMessage, QueueMessageBatch, R2BucketBinding } from '../../src/edge/cloudflare-bindings.js'
import { consumeRecordBatch } from '../../src/edge/consume-record-batch.js'
import type { BonbonError } from '../../src/errors.js'
import { candidateColumns, fromRecordRows, requestColumns } from '../../src/log/record-schema.js'
import { makeRecord } from '../log/preference-record-fixture.js'
import { createSqliteD1 } from './sqlite-d1.js'

interface RecordedBatch extends QueueMessageBatch {
  readonly acked: string[]
  readonly retried: string[]
}

/** A delivered batch that records what the consumer did with each message, as the Queues runtime would. */
function batchOf(bodies: Record<string, unknown>): RecordedBatch {
  const acked: string[] = []
  const retried: string[] = []
  const messages: QueueMessage[] = Object.entries(bodies).map(([id, body]) => ({
    id,
    body,
    attempts: 1,
    ack: () => acked.push(id),
    retry: () => retried.push(id),
  }))
  return { queue: 'bonbon-records', messages, acked, retried, retryAll: () => retried.push(...messages.map((m) => m.id)) }
}

function readBack(db: ReturnType<typeof createSqliteD1>['db'], requestId: string) {
  const request = db.prepare(`SELECT ${requestColumns.join(', ')} FROM requests WHERE request_id = ?`).get(requestId)
  const candidates = db
    .prepare(`SELECT ${candidateColumns.join(', ')} FROM candidates WHERE request_id = ? ORDER BY idx`)
    .all(requestId)
  return request === undefined ? undefined : fromRecordRows(request, candidates)
}

describe('consumeRecordBatch to D1', () => {
  it('stores every record of the batch and acknowledges each message', async () => {
    const database = createSqliteD1()
    const batch = batchOf({ a: makeRecord({ requestId: 'r-a' }), b: makeRecord({ requestId: 'r-b' }) })
    const outcome = await consumeRecordBatch(batch, { target: { target: 'd1', database, binding: 'DB' } })
    expect(outcome).toEqual({ stored: 2, retried: 0 })
    expect(batch.acked).toEqual(['a', 'b'])
    expect(readBack(database.db, 'r-b')).toEqual(makeRecord({ requestId: 'r-b' }))
  })

  it('retries a message that is not a record and stores the others', async () => {
    const database = createSqliteD1()
    const errors: BonbonError[] = []
    const batch = batchOf({ good: makeRecord(), junk: { requestId: 'x', candidates: 'none' } })
    await consumeRecordBatch(batch, { target: { target: 'd1', database, binding: 'DB' }, onError: (e) => errors.push(e) })
    expect(batch.acked).toEqual(['good'])
    expect(batch.retried).toEqual(['junk'])
    expect(errors[0]?.message).toMatch(/^Queue message junk is not a preference record: createdAt: /)
  })

  it('falls back to one transaction per record, so one refused record holds back no other', async () => {
    const database = createSqliteD1()
    database.db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.request_id = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    const batch = batchOf({ one: makeRecord({ requestId: 'one' }), bad: makeRecord({ requestId: 'poison' }), two: makeRecord({ requestId: 'two' }) })
    const outcome = await consumeRecordBatch(batch, { target: { target: 'd1', database, binding: 'DB' }, onError: () => {} })
    expect(outcome).toEqual({ stored: 2, retried: 1 })
    expect(batch.acked).toEqual(['one', 'two'])
    expect(batch.retried).toEqual(['bad'])
    expect(readBack(database.db, 'two')?.requestId).toBe('two')
  })

  it('retries the whole batch with the migration command while the schema is missing', async () => {
    const database = createSqliteD1({ migrated: false })
    const errors: BonbonError[] = []
    const batch = batchOf({ a: makeRecord() })
    await consumeRecordBatch(batch, { target: { target: 'd1', database, binding: 'LOGS' }, onError: (e) => errors.push(e) })
    expect(batch.acked).toEqual([])
    expect(batch.retried).toEqual(['a'])
    expect(errors[0]?.code).toBe('log_schema_missing')
    expect(errors[0]?.message).toContain('wrangler d1 migrations apply LOGS')
  })
})

describe('consumeRecordBatch to R2', () => {
  function bucket(put?: () => Promise<never>) {
    const objects = new Map<string, { value: string; contentType: string | undefined }>()
    const binding: R2BucketBinding = {
      async put(key, value, options) {
        if (put) return put()
        objects.set(key, { value, contentType: options?.httpMetadata?.contentType })
        return {}
      },
    }
    return { binding, objects }
  }

  it('writes the batch as one JSONL object under the prefix, one record per line', async () => {
    const { binding, objects } = bucket()
    const batch = batchOf({ a: makeRecord({ requestId: 'r-a' }), b: makeRecord({ requestId: 'r-b' }) })
    await consumeRecordBatch(batch, {
      target: { target: 'r2', bucket: binding, binding: 'LOG_BUCKET', prefix: 'logs/' },
      now: () => new Date('2025-03-01T12:34:56.789Z'),
      generateId: () => 'batch-1',
    })
    expect([...objects.keys()]).toEqual(['logs/2025/03/01/123456789-batch-1.jsonl'])
    const object = objects.get('logs/2025/03/01/123456789-batch-1.jsonl')
    expect(object?.contentType).toBe('application/x-ndjson')
    expect(object?.value.split('\n')).toEqual([
      JSON.stringify(makeRecord({ requestId: 'r-a' })),
      JSON.stringify(makeRecord({ requestId: 'r-b' })),
      '',
    ])
    expect(batch.acked).toEqual(['a', 'b'])
  })

  it('retries every message when the object cannot be written', async () => {
    const { binding } = bucket(() => Promise.reject(new Error('R2 is down')))
    const errors: BonbonError[] = []
    const batch = batchOf({ a: makeRecord(), b: makeRecord({ requestId: 'other' }) })
    const outcome = await consumeRecordBatch(batch, {
      target: { target: 'r2', bucket: binding, binding: 'LOG_BUCKET', prefix: '' },
      onError: (e) => errors.push(e),
    })
    expect(outcome).toEqual({ stored: 0, retried: 2 })
    expect(batch.acked).toEqual([])
    expect(errors[0]?.message).toContain('R2 is down')
  })
})
