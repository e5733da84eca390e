/**
 * The few members of Cloudflare's binding types bonbon uses, structurally. The full types live in
 * `@cloudflare/workers-types`, whose global declarations clash with the DOM and Node types the rest
 * of the package compiles against; these are assignable from the real bindings.
 * @module
 */

/** A value that can be bound to a D1 `?` parameter. */
export type D1Value = string | number | null

/** A D1 prepared statement (`D1PreparedStatement`). */
export interface D1Statement {
  bind(...values: D1Value[]): D1Statement
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>
}

/** A D1 database binding (`D1Database`). */
export interface D1DatabaseBinding {
  prepare(query: string): D1Statement
  /** Runs the statements in one transaction: all of them or none. */
  batch(statements: D1Statement[]): Promise<unknown[]>
}

/** A Queue producer binding (`Queue`). */
export interface QueueBinding {
  send(body: unknown, options?: { contentType?: 'json' | 'text' | 'bytes' | 'v8' }): Promise<void>
}

/** One message delivered to a queue consumer (`Message`). */
export interface QueueMessage {
  readonly id: string
  readonly body: unknown
  /** How many times delivery was tried, from 1. */
  readonly attempts: number
  ack(): void
  retry(options?: { delaySeconds?: number }): void
}

/** A batch delivered to a queue consumer (`MessageBatch`). */
export interface QueueMessageBatch {
  readonly queue: string
  readonly messages: readonly QueueMessage[]
  retryAll(options?: { delaySeconds?: number }): void
}

/** An R2 bucket binding (`R2Bucket`). */
export interface R2BucketBinding {
  put(key: string, value: string, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>
}

/** A Worker's execution context (`ExecutionContext`). */
export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
}

/** The Worker's `env`: vars (strings, or objects for TOML tables), secrets, and bindings by name. */
export type WorkerEnv = Readonly<Record<string, unknown>>

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return names.every((name) => typeof record[name] === 'function')
}

/** Whether a binding looks like a D1 database. */
export function isD1Database(value: unknown): value is D1DatabaseBinding {
  return hasMethods(value, ['prepare', 'batch'])
}

/** Whether a binding looks like a Queue producer. */
export function isQueue(value: unknown): value is QueueBinding {
  return hasMethods(value, ['send'])
}

/** Whether a binding looks like an R2 bucket. */
export function isR2Bucket(value: unknown): value is R2BucketBinding {
  return hasMethods(value, ['put', 'get', 'list'])
}
