import { createParser } from 'eventsource-parser'

/** One server-sent event, as the WHATWG parsing rules define it. */
export interface SseEvent {
  /** The `event:` field, when the server named the event. */
  readonly event: string | undefined
  /** The `id:` field, when the server sent one. */
  readonly id: string | undefined
  /** The `data:` lines of the event, joined with `\n`. */
  readonly data: string
}

/**
 * Reads a `text/event-stream` body as events. Decoding is streaming UTF-8 (a character split across
 * reads is joined), line ends may be CR, LF or CRLF, `data:` may lack its space, and comment lines
 * (`: ping` heartbeats) are skipped; the parsing itself is `eventsource-parser`'s.
 *
 * An event the server left unterminated when the body ended is still delivered: several
 * OpenAI-compatible servers end with `data: [DONE]` and no blank line. A body cut mid-event yields a
 * partial `data` that the caller's JSON check rejects.
 *
 * Leaving the loop early, or aborting `signal`, cancels the body.
 * @throws the signal's reason when `signal` aborts; the body's error when reading fails.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export async function* readSseEvents(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent, void, undefined> {
  signal?.throwIfAborted()
  const pending: SseEvent[] = []
  const parser = createParser({
    onEvent: (message) => pending.push({ event: message.event, id: message.id, data: message.data }),
  })
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  const cancel = () => reader.cancel(signal?.reason).catch(() => undefined)
  signal?.addEventListener('abort', cancel, { once: true })
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      // A cancelled read resolves as done, so an abort has to be told apart from a clean end here.
      signal?.throwIfAborted()
      if (done) break
      parser.feed(value)
      yield* drain(pending)
    }
    // Two line ends terminate whatever line and event are still open; on a clean end they are no-ops.
    parser.feed('\n\n')
    yield* drain(pending)
    finished = true
  } finally {
    signal?.removeEventListener('abort', cancel)
    if (!finished) await cancel()
    reader.releaseLock()
  }
}

function* drain(pending: SseEvent[]): Generator<SseEvent> {
  while (pending.length > 0) {
    const next = pending.shift()
    if (next !== undefined) yield next
  }
}
