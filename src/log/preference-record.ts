import type { ChatMessage } from '../protocol/chat-message.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import type { FanoutMode } from '../generate/backend.js'

/** One candidate as it is kept in the log. */
export interface CandidateRecord {
  readonly index: number
  readonly text: string
  /** The reward, or null when the candidate failed or could not be scored. */
  readonly reward: number | null
  readonly finishReason: string | null
  /** Completion tokens of this candidate, or null when the upstream did not say. */
  readonly completionTokens: number | null
  /** Sum of token log-probabilities, or null when none were returned. */
  readonly logprobSum: number | null
  readonly latencyMs: number
  /** Why generation or scoring failed, or null. */
  readonly error: string | null
}

/**
 * Everything bonbon knows about one request: the prompt, its parameters and the whole scored set.
 * Best/worst pairs for preference training (BoNBoN) and RATE audits are read from these.
 */
export interface PreferenceRecord {
  /** The id sent to the client in `x-bonbon-request-id`. */
  readonly requestId: string
  /** When the request arrived, ISO 8601. */
  readonly createdAt: string
  readonly endpoint: Endpoint
  readonly model: string
  readonly messages: readonly ChatMessage[]
  /** Sampling parameters forwarded upstream (temperature, max_tokens, seed, ...), without the prompt. */
  readonly params: Readonly<Record<string, unknown>>
  readonly n: number
  readonly fanout: FanoutMode
  /** Name of the reward model that scored the set. */
  readonly rewardModel: string
  readonly candidates: readonly CandidateRecord[]
  /** Index of the candidate answered with, or null when the request failed. */
  readonly chosen: number | null
  /** Index of the highest-reward candidate, or null. */
  readonly best: number | null
  /** Index of the lowest-reward scored candidate, or null. */
  readonly worst: number | null
  /** Total upstream tokens, when reported. */
  readonly promptTokens: number | null
  readonly completionTokens: number | null
  /** End-to-end time of the request, ms. */
  readonly latencyMs: number
  /** Why the request was degraded (`reward_model_failed`, ...), or null. */
  readonly degraded: string | null
}

/**
 * Where preference records go. `write` must not block the request: sinks queue and batch.
 */
export interface LogSink {
  /**
   * True when `write` resolves only once the record is durably stored; answers then wait for it,
   * so every answered request has its record.
   * @default false
   */
  readonly durable?: boolean
  /** Queues one record. Resolves when the sink has taken it (durably, for sync sinks). */
  write(record: PreferenceRecord): Promise<void>
  /** Resolves once every record written so far is stored. */
  flush(): Promise<void>
  /** Flushes, then releases the store. Further writes are refused. */
  close(): Promise<void>
}
