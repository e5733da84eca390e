import { BonbonError, InvalidOptionsError } from '../errors.js'
import type { LogSink } from '../log/preference-record.js'
import { isQueue, type QueueBinding } from './cloudflare-bindings.js'
import { createInFlightWrites } from './in-flight-writes.js'

/** Options of {@link createQueueSink}. */
export interface QueueSinkOptions {
  /** The Queue producer binding (`env.LOG_QUEUE`). */
  readonly queue: QueueBinding
  /** The binding's name, for messages. @default 'LOG_QUEUE' */
  readonly binding?: string
}

/** The largest message Cloudflare Queues accepts, bytes. */
export const queueMessageLimitBytes = 128 * 1024

/**
 * Creates a sink that sends each record, as JSON, to a Cloudflare Queue; the Worker's `queue()`
 * handler ({@link consumeRecordBatch}) stores them in batches. The response path pays for one
 * `send`, not for a database transaction, and a database outage only delays records.
 * @throws InvalidOptionsError when `queue` is not a Queue producer binding.
 */
export function createQueueSink(options: QueueSinkOptions): LogSink {
  const binding = options.binding ?? 'LOG_QUEUE'
  if (!isQueue(options.queue)) {
    throw new InvalidOptionsError(
      `The binding ${binding} is not a Queue producer: declare it under [[queues.producers]] in wrangler.toml.`,
      { key: 'log.binding' },
    )
  }
  const queue = options.queue
  const writes = createInFlightWrites()
  const encoder = new TextEncoder()

  async function send(record: Parameters<LogSink['write']>[0]): Promise<void> {
    const size = encoder.encode(JSON.stringify(record)).byteLength
    if (size > queueMessageLimitBytes) {
      throw new BonbonError(
        'log_write_failed',
        `Record ${record.requestId} is ${size} bytes as JSON, over the ${queueMessageLimitBytes}-byte limit of a ` +
          `Queues message; log this gateway with log.kind "d1" instead.`,
      )
    }
    try {
      await queue.send(record, { contentType: 'json' })
    } catch (error) {
      throw new BonbonError('log_write_failed', `Could not send record ${record.requestId} to the queue ${binding}.`, {
        cause: error,
      })
    }
  }

  return {
    write: (record) =>
      writes.start(
        () => send(record),
        () => new BonbonError('sink_closed', `The queue log sink is closed; record ${record.requestId} was not sent.`),
      ),
    flush: writes.flush,
    close: writes.close,
  }
}
