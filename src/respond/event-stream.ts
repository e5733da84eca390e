import type { BestOfNResult } from '../best-of-n.js'
import { toErrorResponse } from '../protocol/error-response.js'
import { sseComment, sseData } from '../protocol/sse-writer.js'
import { completionChunks } from './completion-chunks.js'

/** Options of {@link bestOfNEventStream}. */
export interface EventStreamOptions {
  /** The run whose winner the stream replays. */
  readonly pending: Promise<BestOfNResult>
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
      void options.pending.then(
        (result) => {
          if (closed) return
          stop()
          for (const chunk of completionChunks(result)) controller.enqueue(sseData(chunk))
          controller.enqueue(sseData('[DONE]'))
          controller.close()
        },
        (error: unknown) => {
          if (closed) return
          stop()
          controller.enqueue(sseData(toErrorResponse(error).body))
          controller.enqueue(sseData('[DONE]'))
          controller.close()
        },
      )
    },
    cancel() {
      stop()
      options.onCancel?.()
    },
  })
}
