import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LogSink, PreferenceRecord } from '../../src/log/preference-record.js'
import { startHonoGateway, type HonoGateway, type HonoGatewayOptions } from './hono-gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
const everyCallFails = () => ({ kind: 'http-error' as const, status: 503 })

/** A user's own sink: `write` does what the test says, and what it was handed is kept. */
function customSink(write: (record: PreferenceRecord) => Promise<void>, durable = false): LogSink & { handed: PreferenceRecord[] } {
  const handed: PreferenceRecord[] = []
  return {
    durable,
    handed,
    write(record) {
      handed.push(record)
      return write(record)
    },
    flush: async () => undefined,
    close: async () => undefined,
  }
}

const throwsAtOnce = (): Promise<void> => {
  throw new Error('sink broke synchronously')
}
const brokenRedaction = () => ({
  record: (): PreferenceRecord => {
    throw new Error('redaction broke')
  },
})

let gateway: HonoGateway | undefined
let logErrors: unknown[]
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeEach(() => {
  logErrors = []
  unhandled.length = 0
  process.on('unhandledRejection', onUnhandled)
})
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled)
  await gateway?.close()
  gateway = undefined
})

async function start(options: HonoGatewayOptions): Promise<HonoGateway> {
  gateway = await startHonoGateway({
    ...options,
    bestOfN: { onLogError: (error) => logErrors.push(error), ...options.bestOfN },
  })
  return gateway
}

/** Lets a rejection nobody handled be reported: Node does so once the microtasks have run. */
const afterRejectionsReported = () => new Promise((resolve) => setTimeout(resolve, 20))

describe('bestOfN logging is best effort in async durability', () => {
  it('answers when the sink throws synchronously, and tells onLogError', async () => {
    const log = customSink(throwsAtOnce)
    const { client } = await start({ bestOfN: { log } })
    const completion = await client.chat.completions.create({ model: 'm', messages })
    expect(completion.choices).toHaveLength(1)
    await vi.waitFor(() => expect(logErrors).toEqual([expect.objectContaining({ message: 'sink broke synchronously' })]))
    expect(log.handed).toHaveLength(1)
  })

  it('answers when the redaction throws, storing nothing rather than the unredacted record', async () => {
    const log = customSink(async () => undefined)
    const { client } = await start({ bestOfN: { log, admit: brokenRedaction } })
    const completion = await client.chat.completions.create({ model: 'm', messages })
    expect(completion.choices).toHaveLength(1)
    await vi.waitFor(() => expect(logErrors).toEqual([expect.objectContaining({ message: 'redaction broke' })]))
    expect(log.handed).toEqual([])
  })

  it.each([
    ['a sink that throws synchronously', { log: customSink(throwsAtOnce) }, 'sink broke synchronously'],
    ['a sink that rejects', { log: customSink(() => Promise.reject(new Error('sink rejected'))) }, 'sink rejected'],
    ['a redaction that throws', { log: customSink(async () => undefined), admit: brokenRedaction }, 'redaction broke'],
  ])('reports the record of a failed run to onLogError, not as an unhandled rejection, with %s', async (_name, bestOfN, message) => {
    const { client } = await start({ backend: { faults: everyCallFails }, bestOfN })
    const failure = await client.chat.completions.create({ model: 'm', messages }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(OpenAI.APIError)
    await vi.waitFor(() => expect(logErrors).toEqual([expect.objectContaining({ message })]))
    await afterRejectionsReported()
    expect(unhandled).toEqual([])
  })

  it('survives an onLogError hook that throws itself', async () => {
    const { client } = await start({
      backend: { faults: everyCallFails },
      bestOfN: {
        log: customSink(throwsAtOnce),
        onLogError: () => {
          throw new Error('hook broke')
        },
      },
    })
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toBeInstanceOf(OpenAI.APIError)
    await afterRejectionsReported()
    expect(unhandled).toEqual([])
  })
})

describe('bestOfN logging in sync durability', () => {
  it.each([
    ['a redaction that throws', { log: customSink(async () => undefined, true), admit: brokenRedaction }],
    ['a sink that throws synchronously', { log: customSink(throwsAtOnce, true) }],
  ])('withholds the answer with a 500 log_write_failed on %s', async (_name, bestOfN) => {
    const { client } = await start({ bestOfN })
    const failure = await client.chat.completions.create({ model: 'm', messages }).catch((error: unknown) => error)
    expect(failure).toMatchObject({ status: 500, code: 'log_write_failed' })
    expect(logErrors).toHaveLength(1)
  })
})
