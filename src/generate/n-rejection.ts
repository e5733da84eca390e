import { UpstreamError } from '../errors.js'
import { parseUpstreamError } from '../protocol/upstream-response.js'
import { parseJsonText } from './upstream-json.js'

// `n` as a word of its own ("Invalid 'n'", "n must be 1", "n > 1 is not supported"), or llama.cpp's n_cmpl.
const mentionsN = /(?<![\w\\])(?:n|n_cmpl)(?!\w)/
// Older llama.cpp builds answer any n > 1 with a 500 carrying this message.
const onlyOneChoice = /only one completion choice|multiple (?:choices|completions)/i

/**
 * Whether an upstream error says the backend does not accept `n > 1`: llama.cpp's 500 "Only one
 * completion choice is allowed", or a 400/422 that names `n` (as its `param` or in its message).
 * Other failures (429, 500, 503, any 400 about something else) are not a reason to fan out in parallel.
 */
export function isNRejection(error: unknown): boolean {
  if (!UpstreamError.isInstance(error)) return false
  const json = error.responseBody === undefined ? undefined : parseJsonText(error.responseBody)
  const failure = json?.ok ? parseUpstreamError(json.value) : undefined
  const message = failure?.message ?? error.responseBody ?? error.message
  if (onlyOneChoice.test(message)) return true
  if (error.status !== 400 && error.status !== 422) return false
  return failure?.param === 'n' || mentionsN.test(message)
}
