/**
 * bonbon: best-of-n at the gateway. The main entry, for Node: build a gateway from a configuration,
 * or compose the pipeline's parts (backends, reward models, selection, the store) yourself.
 * Subpaths: `bonbon/hono` (the middleware), `bonbon/ai-sdk` (AI SDK middleware and backend),
 * `bonbon/edge` (Cloudflare Workers), `bonbon/theory` (best-of-n math), `bonbon/testing` (simulated
 * servers for tests).
 * @module
 */

// Gateway
export { createApp } from './app/create-app.node.js'
export type { AppRuntime, BonbonApp } from './app/create-app.js'
export { serve, type RunningServer, type ServeOptions } from './server/serve.node.js'

// Configuration
export { parseConfig } from './config/parse-config.js'
export { applyEnv, envOverrides } from './config/apply-env.js'
export { loadConfigFile } from './config/load-config.node.js'
export type { BonbonConfig, BonbonConfigInput, LogConfig, RewardConfig, UpstreamConfig } from './config/config-schema.js'

// The pipeline
export { runBestOfN, resolveFanoutSize } from './best-of-n.js'
export type { BestOfNPipeline, BestOfNResult, BestOfNRun } from './best-of-n.js'
export { rankCandidates, type Ranking } from './select/rank-candidates.js'

// Protocol
export { parseRequest, type ParseRequestOptions } from './protocol/parse-request.js'
export type { BestOfNRequest, Endpoint } from './protocol/best-of-n-request.js'
export type { ChatMessage } from './protocol/chat-message.js'
export type { Usage } from './protocol/usage.js'
export { toErrorResponse, type ErrorResponse, type OpenAIErrorBody } from './protocol/error-response.js'
export { readSseEvents, type SseEvent } from './protocol/sse-reader.js'
export { parseUpstreamError, type UpstreamErrorInfo } from './protocol/upstream-response.js'

// Backends
export type { Backend, Candidate, FanoutMode, GenerateRequest, GenerateResult } from './generate/backend.js'
export {
  createOpenAICompatibleBackend,
  type FanoutOption,
  type OpenAICompatibleBackendOptions,
} from './generate/openai-compatible-backend.js'
export { createReplayBackend, type ReplayBackendOptions } from './generate/replay-backend.js'
export {
  loadCandidatePool,
  parseCandidatePool,
  type CandidatePool,
  type CandidatePoolItem,
  type PoolCandidate,
} from './generate/candidate-pool.js'
export { createBackend, type CreateBackendOptions } from './generate/create-backend.js'

// Reward models
export type { RewardModel, Score, ScoreRequest } from './score/reward-model.js'
export { createRewardModel } from './score/create-reward-model.node.js'
export type { CreateRewardModelOptions } from './score/create-reward-model.js'
export { createVllmRewardModel, type VllmRewardModelOptions } from './score/vllm-reward-model.js'
export { createTeiRewardModel, type TeiRewardModelOptions } from './score/tei-reward-model.js'
export { createHttpRewardModel, type HttpRewardModelOptions } from './score/http-reward-model.js'
export { createReplayRewardModel, type ReplayRewardModelOptions } from './score/replay-reward-model.js'
export { createJudgeRewardModel, type JudgeRewardModelOptions } from './score/judge-reward-model.js'
export {
  createJudgePairwiseRewardModel,
  type JudgePairwiseRewardModelOptions,
} from './score/judge-pairwise-reward-model.js'
export { createJudgeChatCompletion, type JudgeChatCompletionOptions } from './score/judge-chat-completion.js'
export type { JudgeCompletion } from './score/judge-completion.js'
export {
  withScoreCache,
  type CachedRewardModel,
  type ScoreCacheOptions,
  type ScoreCacheStats,
} from './score/with-score-cache.js'
export { retrying, defaultRetryPolicy, type RetryPolicy } from './generate/retry.js'

// The log
export type { CandidateRecord, LogSink, PreferenceRecord } from './log/preference-record.js'
export { createSqliteSink, type SqliteSink, type SqliteSinkOptions } from './log/sqlite-sink.node.js'
export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './log/sqlite-store.node.js'
export { fromRecordRows, toRecordRows, type RecordFilter, type RecordRows } from './log/record-schema.js'
export { migrations, type Migration } from './log/migrations.js'
export { parsePreferenceRecord, preferenceRecordSchema } from './log/preference-record-schema.js'
export { openRecordSource, recordSourceKind, type RecordSourceKind } from './log/record-source.node.js'

// Datasets and statistics from the log
export { exportRecords, type ExportRecordsOptions, type ExportSummary } from './export/export-records.js'
export { createPreferenceStats, type PreferenceStats, type PreferenceStatsGroup } from './export/preference-stats.js'

// Guarding the gateway
export { createGuard, type Guard, type GuardLimits, type GuardOptions } from './guard/create-guard.js'
export { redactText, redactionMarks } from './guard/redact.js'
export { redactRecord } from './guard/redact-record.js'

// RATE audits
export { computeRateAudit } from './audit/compute-rate-audit.js'
export type { RateAuditInput, RateAuditOptions, RateAuditReport, RateGroupInput } from './audit/compute-rate-audit.js'
export { renderRateReportMarkdown } from './audit/report-markdown.js'
export { renderRateReportHtml, type RateReportHtmlOptions } from './audit/report-html.js'
export { parseRateAuditReport } from './audit/rate-audit-report-schema.js'
export { readChartJsSource } from './audit/chart-js-source.node.js'
export {
  createRateAudit,
  runRateAudit,
  type RateAudit,
  type RateAuditResult,
  type RateAuditRunOptions,
} from './audit/rate-audit.js'

// Errors
export {
  AllCandidatesFailedError,
  AuthenticationError,
  BonbonError,
  DeadlineExceededError,
  InvalidOptionsError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  RewardModelError,
  UpstreamError,
  type AllCandidatesFailedDetails,
  type UpstreamReportedError,
} from './errors.js'
