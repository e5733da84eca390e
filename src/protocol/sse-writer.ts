const encoder = new TextEncoder()

/** One SSE `data:` event carrying JSON, or the `[DONE]` sentinel OpenAI streams end with. */
export function sseData(payload: unknown): Uint8Array {
  const data = payload === '[DONE]' ? '[DONE]' : JSON.stringify(payload)
  return encoder.encode(`data: ${data}\n\n`)
}

/**
 * An SSE comment line. Clients ignore it (WHATWG HTML §9.2.6), so it keeps idle connections and
 * first-byte timers alive while the best answer is being chosen.
 */
export function sseComment(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`)
}
