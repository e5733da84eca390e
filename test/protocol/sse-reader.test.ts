import { describe, expect, it } from 'vitest'
import { readSseEvents, type SseEvent } from '../../src/protocol/sse-reader.js'

const encoder = new TextEncoder()

/** A body that delivers exactly these chunks, one per read. */
function bodyOf(chunks: readonly (string | Uint8Array<ArrayBuffer>)[]): ReadableStream<Uint8Array<ArrayBuffer>> {
  const queue = chunks.map((chunk) => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk))
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
}

async function dataOf(chunks: readonly (string | Uint8Array<ArrayBuffer>)[]): Promise<string[]> {
  const events: SseEvent[] = []
  for await (const event of readSseEvents(bodyOf(chunks))) events.push(event)
  return events.map((event) => event.data)
}

describe('readSseEvents', () => {
  it('reads data lines with and without the space after the colon', async () => {
    expect(await dataOf(['data: {"a":1}\n\ndata:{"b":2}\n\n'])).toEqual(['{"a":1}', '{"b":2}'])
  })

  it('accepts LF, CR and CRLF line ends', async () => {
    expect(await dataOf(['data: lf\n\n', 'data: cr\r\r', 'data: crlf\r\n\r\n'])).toEqual(['lf', 'cr', 'crlf'])
  })

  it('joins a CRLF pair split across two reads into one line end', async () => {
    expect(await dataOf(['data: one\r', '\n\r', '\ndata: two\r\n\r\n'])).toEqual(['one', 'two'])
  })

  it('skips comment and heartbeat lines', async () => {
    expect(await dataOf([': ping\n\n', ':\n', 'data: x\n', ': keep-alive\n\n'])).toEqual(['x'])
  })

  it('joins an event split across reads at arbitrary points', async () => {
    const text = 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n'
    expect(await dataOf([...text])).toEqual(['{"choices":[{"delta":{"content":"hi"}}]}', '[DONE]'])
  })

  it('yields every event of a read holding several', async () => {
    expect(await dataOf(['data: 1\n\ndata: 2\n\ndata: 3\n\n'])).toEqual(['1', '2', '3'])
  })

  it('joins multi-byte UTF-8 characters split across reads', async () => {
    const bytes = encoder.encode('data: café 🍬 — ok\n\n')
    const pieces = [...bytes].map((byte) => new Uint8Array([byte]))
    expect(await dataOf(pieces)).toEqual(['café 🍬 — ok'])
  })

  it('joins multi-line data with a line feed', async () => {
    expect(await dataOf(['data: first\ndata: second\n\n'])).toEqual(['first\nsecond'])
  })

  it('keeps the event name and id', async () => {
    const events: SseEvent[] = []
    for await (const event of readSseEvents(bodyOf(['event: error\nid: 7\ndata: boom\n\n']))) events.push(event)
    expect(events).toEqual([{ event: 'error', id: '7', data: 'boom' }])
  })

  it('delivers a final event the server left without a blank line', async () => {
    expect(await dataOf(['data: 1\n\n', 'data: [DONE]'])).toEqual(['1', '[DONE]'])
  })

  it('delivers an error frame followed by [DONE] as two events', async () => {
    const frame = 'data: {"error":{"message":"boom","code":500}}\n\ndata: [DONE]\n\n'
    expect(await dataOf([frame])).toEqual(['{"error":{"message":"boom","code":500}}', '[DONE]'])
  })

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull(controller) {
        controller.enqueue(encoder.encode('data: again\n\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const event of readSseEvents(body)) {
      expect(event.data).toBe('again')
      break
    }
    expect(cancelled).toBe(true)
  })

  it('rejects with the abort reason and cancels the body when the signal aborts', async () => {
    let cancelled = false
    const controller = new AbortController()
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(stream) {
        stream.enqueue(encoder.encode('data: first\n\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    const seen: string[] = []
    const reading = (async () => {
      for await (const event of readSseEvents(body, controller.signal)) {
        seen.push(event.data)
        controller.abort(new Error('client went away'))
      }
    })()
    await expect(reading).rejects.toThrow('client went away')
    expect(seen).toEqual(['first'])
    expect(cancelled).toBe(true)
  })

  it('rethrows a read error of the body', async () => {
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(stream) {
        stream.enqueue(encoder.encode('data: partial'))
        stream.error(new Error('socket hang up'))
      },
    })
    const seen: string[] = []
    const reading = (async () => {
      for await (const event of readSseEvents(body)) seen.push(event.data)
    })()
    await expect(reading).rejects.toThrow('socket hang up')
    expect(seen).toEqual([])
  })
})
