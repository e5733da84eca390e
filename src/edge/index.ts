/**
 * bonbon on Cloudflare Workers: the gateway as a Worker, its D1 and Queue logs, and the per-request
 * limits. The Worker needs the `nodejs_als` compatibility flag (AsyncLocalStorage only). See
 * docs/edge.md.
 * @module
 */
export type {
  D1DatabaseBinding,
  D1Statement,
  D1Value,
  QueueBinding,
  QueueMessage,
  QueueMessageBatch,
  R2BucketBinding,
  WorkerEnv,
} from './cloudflare-bindings.js'
export { isD1Database, isQueue, isR2Bucket } from './cloudflare-bindings.js'
export {
  consumeRecordBatch,
  type ConsumeRecordBatchOptions,
  type RecordBatchOutcome,
  type RecordBatchTarget,
} from './consume-record-batch.js'
export { createBonbonWorker, type BonbonWorker, type BonbonWorkerOptions } from './create-bonbon-worker.js'
export { createEdgeApp, type EdgeApp, type EdgeAppOptions } from './create-edge-app.js'
export { checkD1Schema, recordStatements } from './d1-record-store.js'
export { createD1Sink, type D1Sink, type D1SinkOptions } from './d1-sink.js'
export { configVar, readEdgeConfig, readEdgeConfigInput } from './edge-config.js'
export { readEdgeSettings, type EdgeSettings } from './edge-settings.js'
export {
  createSubrequestScope,
  limitSubrequests,
  type LimitSubrequestsOptions,
  type SubrequestLimits,
  type SubrequestScope,
} from './limit-subrequests.js'
export { createQueueSink, queueMessageLimitBytes, type QueueSinkOptions } from './queue-sink.js'
export { createSemaphore, type Release, type Semaphore } from './semaphore.js'
