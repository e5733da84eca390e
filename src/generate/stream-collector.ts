import { UpstreamError, describeError } from '../errors.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import type { SseEvent } from '../protocol/sse-reader.js'
import { parseUpstreamError, upstreamChunkSchema } from '../protocol/upstream-response.js'
import type { Usage } from '../protocol/usage.js'
import { mergeChoiceChunk, newChoiceState, rebuildChoice, type ChoiceState } from './choice-merger.js'
import { envelopeOf, parseJsonText } from './upstream-json.js'

/** One choice rebuilt from its deltas. */
export interface CollectedChoice {
  /** The upstream's `index` of the choice. */
  readonly index: number
  /** The choice in non-streaming form (chat: with `message`; completions: with `text`). */
  readonly rawChoice: Record<string, unknown>
  /** The clock reading when its `finish_reason` arrived, or when the stream ended. */
  readonly completedAt: number
}

/** What a completion stream said, once it ended. */
export interface CollectedStream {
  /** The choices by ascending `index`. */
  readonly choices: readonly CollectedChoice[]
  /** The last usage any chunk carried (vLLM's continuous usage is cumulative), if one did. */
  readonly usage: Usage | undefined
  /** Top-level fields of the first chunk without `choices` and `usage`, `object` in non-chunk form. */
  readonly envelope: Record<string, unknown>
}

/** Options of {@link collectStream}. */
export interface CollectStreamOptions {
  /** Which kind of completion the stream carries. */
  readonly endpoint: Endpoint
  /** The clock that stamps each choice's completion, in ms. */
  readonly now: () => number
  /** The URL streamed from, for error messages. */
  readonly url: string
  /** Aborts reading; its reason is rethrown unwrapped. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Rebuilds complete choices from an OpenAI-style completion stream, demultiplexing deltas by
 * `index` without assuming any interleaving or one choice per chunk. Events with empty data are
 * keep-alives and skipped.
 * @throws UpstreamError when the stream carries an error frame (even if `[DONE]` follows), holds
 * data that is not a chunk, breaks off, or ends before `[DONE]` with a choice unfinished.
 */
export async function collectStream(
  events: AsyncIterable<SseEvent>,
  options: CollectStreamOptions,
): Promise<CollectedStream> {
  const states = new Map<number, ChoiceState>()
  let usage: Usage | undefined
  let envelope: Record<string, unknown> | undefined
  let sawDone = false
  try {
    for await (const event of events) {
      // An event with no data (`data:` and a blank line) is a keep-alive some servers and proxies
      // send between chunks; it says nothing, so it is skipped rather than failing the stream.
      if (event.data.trim() === '' && event.event !== 'error') continue
      if (event.data.trim() === '[DONE]') {
        sawDone = true
        break
      }
      const json = parseJsonText(event.data)
      const failure = json.ok ? parseUpstreamError(json.value) : undefined
      if (failure !== undefined || event.event === 'error') {
        throw new UpstreamError(`Upstream stream reported an error: ${failure?.message ?? event.data}`, {
          url: options.url,
          status: httpStatusOf(failure?.code),
          responseBody: event.data.slice(0, 2048),
        })
      }
      const chunk = json.ok ? upstreamChunkSchema.safeParse(json.value) : undefined
      if (!chunk?.success) {
        throw new UpstreamError('Upstream stream sent data that is not a completion chunk.', {
          url: options.url,
          responseBody: event.data.slice(0, 2048),
        })
      }
      envelope ??= envelopeOf(chunk.data)
      if (chunk.data.usage) usage = chunk.data.usage
      for (const choice of chunk.data.choices ?? []) {
        const index = choice.index ?? 0
        let state = states.get(index)
        if (state === undefined) {
          state = newChoiceState(index)
          states.set(index, state)
        }
        mergeChoiceChunk(state, choice, options.now)
      }
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason
    if (UpstreamError.isInstance(error)) throw error
    throw new UpstreamError(`Upstream stream broke off: ${describeCause(error)}`, { url: options.url, cause: error })
  }
  const end = options.now()
  const unfinished = [...states.values()].some((state) => state.finishReason === null)
  if (!sawDone && (states.size === 0 || unfinished)) {
    throw new UpstreamError('Upstream stream ended before [DONE] with a choice unfinished.', { url: options.url })
  }
  const choices = [...states.values()]
    .sort((a, b) => a.index - b.index)
    .map((state) => ({
      index: state.index,
      rawChoice: rebuildChoice(state, options.endpoint),
      completedAt: state.completedAt ?? end,
    }))
  return { choices, usage, envelope: envelope ?? {} }
}

/** vLLM and llama.cpp put the HTTP status in `code`; a string code (OpenAI) says nothing about it. */
export function httpStatusOf(code: string | number | undefined): number | undefined {
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined
}

/** An error's message with its cause's (undici's `terminated` says little without `other side closed`). */
export function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? ` (${describeError(error.cause)})` : ''
  return `${describeError(error)}${cause}`
}
