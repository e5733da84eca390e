import { expect, vi } from 'vitest'
import { isD1Database } from '../../src/edge/cloudflare-bindings.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { candidateColumns, fromRecordRows, requestColumns } from '../../src/log/record-schema.js'

/** Runs a query on a D1 binding obtained from the platform proxy. */
export async function queryD1(database: unknown, sql: string, ...params: Array<string | number>): Promise<unknown[]> {
  if (!isD1Database(database)) throw new TypeError('not a D1 binding')
  const { results } = await database.prepare(sql).bind(...params).all()
  return results
}

/** Reads one record back from D1 through the same row mapping the SQLite store uses, or undefined. */
export async function readD1Record(database: unknown, requestId: string): Promise<PreferenceRecord | undefined> {
  const [request] = await queryD1(database, `SELECT ${requestColumns.join(', ')} FROM requests WHERE request_id = ?`, requestId)
  if (request === undefined) return undefined
  const candidates = await queryD1(
    database,
    `SELECT ${candidateColumns.join(', ')} FROM candidates WHERE request_id = ? ORDER BY idx`,
    requestId,
  )
  return fromRecordRows(request, candidates)
}

/** Waits until the record of `requestId` is in D1 (it is written after the response) and returns it. */
export function waitForD1Record(database: unknown, requestId: string): Promise<PreferenceRecord> {
  return vi.waitFor(
    async () => {
      const record = await readD1Record(database, requestId)
      expect(record, `record ${requestId} in D1`).toBeDefined()
      return record as PreferenceRecord
    },
    { timeout: 15_000, interval: 50 },
  )
}
