import type { BestOfNResult } from '../best-of-n.js'
import { UpstreamError } from '../errors.js'
import { toErrorResponse } from '../protocol/error-response.js'
import { sseComment, sseData } from '../protocol/sse-writer.js'
import { completionChunks } from './completion-chunks.js'

/** Options of {@link bestOfNEventStream}. */
export interface EventStreamOptions {
  /** The winner's events ({@link answerEvents}), once the run has chosen and logged it. */
  readonly pending: Promise<readonly Uint8Array[]>
  /** Interval of heartbeat comments while the run is pending, ms. */
  readonly heartbeatMs: number
  /** Called when the client goes away before the end, so upstream work can be cancelled. */
  readonly onCancel?: () => void
}

/**
 * An OpenAI-style SSE stream for a best-of-n run: a heartbeat comment at once and every
 * `heartbeatMs` while candidates are drawn and scored (so proxies and clients with first-byte or
 * idle timeouts keep waiting), then the winner as chunks and `[DONE]`. A failure after the stream
 * started becomes an error event followed by `[DONE]`, as vLLM does.
 */
export function bestOfNEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setInterval> | undefined
  let closed = false
  const stop = () => {
    closed = true
    if (timer !== undefined) clearInterval(timer)
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(sseComment('bonbon: choosing the best answer'))
      timer = setInterval(() => {
        if (!closed) controller.enqueue(sseComment('heartbeat'))
      }, options.heartbeatMs)
      const finish = (events: readonly Uint8Array[]) => {
        for (const event of events) controller.enqueue(event)
        controller.enqueue(sseData('[DONE]'))
        controller.close()
      }
      const fail = (error: unknown) => finish([sseData(toErrorResponse(error).body)])
      void options.pending.then(
        (events) => {
          if (closed) return
          stop()
          finish(events)
        },
        (error: unknown) => {
          if (closed) return
          stop()
          fail(error)
        },
      )
    },
    cancel() {
      stop()
      options.onCancel?.()
    },
  })
}

/**
 * The winner of a run as SSE events, every chunk encoded before any is sent: an answer that cannot
 * be encoded (an upstream answer nested past the stack, say) is a 502, as it is unstreamed, never
 * half an answer. Encode before logging: a record must not claim an answer the client never got.
 * @throws UpstreamError when the answer cannot be serialised.
 */
export function answerEvents(result: BestOfNResult): Uint8Array[] {
  const chunks = completionChunks(result)
  try {
    return chunks.map((chunk) => sseData(chunk))
  } catch (error) {
    throw new UpstreamError('The upstream answer could not be serialised for the client.', {
      cause: error,
      isRetryable: false,
    })
  }
}
