/**
 * `bonbon/hono`: best-of-n as Hono middleware, the guard (client keys, rate limits, caps,
 * redaction) to put in front of it, and the one mapping of bonbon errors to OpenAI-shaped HTTP
 * answers for your app's `onError`.
 * @module
 */
export {
  bestOfN,
  type BestOfNAdmission,
  type BestOfNCounters,
  type BestOfNOptions,
  type BestOfNVariables,
} from './best-of-n-middleware.js'
export { guard, type GuardMiddleware, type GuardMiddlewareOptions } from './guard-middleware.js'
export { toErrorResponse, type ErrorResponse, type OpenAIErrorBody } from '../protocol/error-response.js'
