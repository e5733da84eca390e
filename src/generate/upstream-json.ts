/** The outcome of reading text as JSON: the value (still to be validated), or a failure. */
export type JsonText = { readonly ok: true; readonly value: unknown } | { readonly ok: false }

/** Parses text as JSON without throwing; the value is `unknown` until a schema has checked it. */
export function parseJsonText(text: string): JsonText {
  try {
    const value: unknown = JSON.parse(text)
    return { ok: true, value }
  } catch {
    return { ok: false }
  }
}

/**
 * The top-level fields of an upstream response or chunk without `choices` and `usage`. A stream
 * chunk's `object` (`chat.completion.chunk`) becomes the non-streaming one (`chat.completion`), so
 * the envelope reads the same whether the upstream streamed or not.
 */
export function envelopeOf(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const envelope: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'choices' && key !== 'usage') envelope[key] = value
  }
  const object = envelope['object']
  if (typeof object === 'string' && object.endsWith('.chunk')) envelope['object'] = object.slice(0, -'.chunk'.length)
  return envelope
}
