import type { BestOfNRequest } from './best-of-n-request.js'

/**
 * The request as sent upstream when the log keeps reference log-probabilities: the sampled tokens'
 * log-probabilities are asked for (chat `logprobs: true`; legacy completions `logprobs: 1`, the least
 * that returns them), and hidden from a client that did not ask for them itself.
 */
export function withReferenceLogprobs(request: BestOfNRequest): BestOfNRequest {
  const asked = request.upstreamBody['logprobs']
  if (asked !== undefined && asked !== null && asked !== false) return request
  return {
    ...request,
    upstreamBody: { ...request.upstreamBody, logprobs: request.endpoint === 'chat' ? true : 1 },
    hideLogprobs: true,
  }
}
