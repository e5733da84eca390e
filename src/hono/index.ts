/**
 * `bonbon/hono`: best-of-n as Hono middleware, and the one mapping of bonbon errors to OpenAI-shaped
 * HTTP answers for your app's `onError`.
 * @module
 */
export { bestOfN, type BestOfNOptions, type BestOfNVariables } from './best-of-n-middleware.js'
export { toErrorResponse, type ErrorResponse, type OpenAIErrorBody } from '../protocol/error-response.js'
