/**
 * bonbon inside AI SDK apps: best-of-n as a language-model middleware, an AI SDK model as the
 * gateway's upstream, and an AI SDK model as an LLM judge. Types only from `@ai-sdk/provider`;
 * nothing from `ai` at run time.
 * @module
 */
export {
  bestOfNMiddleware,
  type BestOfNMiddlewareOptions,
  type BestOfNProviderMetadata,
} from './best-of-n-middleware.js'
export { readBestOfNMetadata } from './read-best-of-n-metadata.js'
export { createAiSdkBackend, type AiSdkBackendOptions } from './ai-sdk-backend.js'
export {
  createAiSdkJudgeCompletion,
  readProviderLogprobs,
  type AiSdkJudgeCompletionOptions,
} from './ai-sdk-judge-completion.js'
