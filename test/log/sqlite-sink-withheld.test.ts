import { afterEach, describe, expect, it } from 'vitest'
import type { SqliteSink } from '../../src/log/sqlite-sink.node.js'
import { startHonoGateway, type HonoGateway } from '../hono/hono-gateway-fixture.js'
import { makeRecord } from './preference-record-fixture.js'
import { useSqliteSinkFixture } from './sqlite-sink-fixture.js'

const fixture = useSqliteSinkFixture({ prefix: 'bonbon-withheld-' })
const { openSink, readAll, lockStore } = fixture
let gateway: HonoGateway | undefined

/**
 * A sync sink that can store its records nowhere for now: the spill path is a folder (no file can be
 * appended there), and `lockStore` takes the database's write lock as another process would.
 */
function openFailingSink(): SqliteSink {
  return openSink({ durability: 'sync', busyTimeoutMs: 0, spillPath: fixture.folder })
}

const withheld = { chosen: null, degraded: expect.stringMatching(/^failed: log_write_failed: the answer was withheld/) }

afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

describe("createSqliteSink 'sync' when neither the store nor the spill file takes a record", () => {
  it('stores the rejected record later as one whose answer was withheld, never as answered', async () => {
    const failing = openFailingSink()
    const record = makeRecord()
    const lock = lockStore()
    try {
      await expect(failing.write(record)).rejects.toMatchObject({ code: 'log_spill_failed' })
    } finally {
      lock.release()
    }
    await failing.flush()
    // The candidates, their rewards and the best/worst pair are kept: they were paid for and scored.
    expect(readAll()).toEqual([{ ...record, ...withheld }])
    expect(failing.dropped).toBe(0)
  })

  it('leaves the records of async writers, whose answers went out, as they were', async () => {
    const asyncSink = openSink({ busyTimeoutMs: 0, spillPath: fixture.folder })
    const record = makeRecord()
    const lock = lockStore()
    try {
      await asyncSink.write(record)
      await expect(asyncSink.flush()).rejects.toMatchObject({ code: 'log_spill_failed' })
    } finally {
      lock.release()
    }
    await asyncSink.flush()
    expect(readAll()).toEqual([record])
  })
})

describe('the bestOfN middleware over a sync sink that cannot store', () => {
  it('answers 500 log_write_failed, and the store later shows that request unanswered', async () => {
    const failing = openFailingSink()
    gateway = await startHonoGateway({ bestOfN: { log: failing, onLogError: () => undefined } })
    const lock = lockStore()
    let failure: unknown
    try {
      failure = await gateway.client.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'Name a colour.' }] })
        .catch((error: unknown) => error)
    } finally {
      lock.release()
    }
    expect(failure).toMatchObject({ status: 500, code: 'log_write_failed' })
    await failing.flush()
    const [stored, ...rest] = readAll()
    expect(rest).toEqual([])
    expect(stored).toMatchObject(withheld)
    expect(stored?.candidates).toHaveLength(4)
    expect(stored?.best).not.toBeNull()
  })
})
