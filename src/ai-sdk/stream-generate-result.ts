import type {
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider'

/**
 * A finished generate result replayed as a V4 stream: `stream-start`, `response-metadata`, each text
 * and reasoning part as start/delta/end with its own id, other content parts as they are, then
 * `finish` with the usage and provider metadata. The same shape as the AI SDK's
 * `simulateStreamingMiddleware`, written here so that `bonbon/ai-sdk` imports nothing from `ai` at
 * run time.
 */
export function streamGenerateResult(result: LanguageModelV4GenerateResult): LanguageModelV4StreamResult {
  const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: result.warnings }]
  const { id: responseId, timestamp, modelId } = result.response ?? {}
  parts.push({
    type: 'response-metadata',
    ...(responseId === undefined ? {} : { id: responseId }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(modelId === undefined ? {} : { modelId }),
  })
  let nextId = 0
  for (const part of result.content) {
    const id = String(nextId)
    const providerMetadata = part.providerMetadata === undefined ? {} : { providerMetadata: part.providerMetadata }
    if (part.type === 'text') {
      if (part.text === '' && (part.citations?.length ?? 0) === 0) continue
      parts.push(
        { type: 'text-start', id, ...providerMetadata },
        { type: 'text-delta', id, delta: part.text },
        { type: 'text-end', id, ...(part.citations === undefined ? {} : { citations: part.citations }) },
      )
      nextId++
    } else if (part.type === 'reasoning') {
      parts.push(
        { type: 'reasoning-start', id, ...providerMetadata },
        { type: 'reasoning-delta', id, delta: part.text },
        { type: 'reasoning-end', id },
      )
      nextId++
    } else {
      parts.push(part)
    }
  }
  parts.push({
    type: 'finish',
    finishReason: result.finishReason,
    usage: result.usage,
    ...(result.providerMetadata === undefined ? {} : { providerMetadata: result.providerMetadata }),
  })
  const stream = new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      for (const part of parts) controller.enqueue(part)
      controller.close()
    },
  })
  const headers = result.response?.headers
  return {
    stream,
    ...(result.request === undefined ? {} : { request: result.request }),
    ...(headers === undefined ? {} : { response: { headers } }),
  }
}
