import { InvalidOptionsError, InvalidRequestError } from '../errors.js'
import { lastUserText } from '../util/last-user-text.js'
import { createSeededRandom, randomSeed, sampleWithoutReplacement } from '../util/random.js'
import type { Backend, Candidate, GenerateResult } from './backend.js'
import type { CandidatePool } from './candidate-pool.js'

/** Options of {@link createReplayBackend}. */
export interface ReplayBackendOptions {
  /** The recorded instructions and answers to replay (see `loadCandidatePool`). */
  pool: CandidatePool
  /**
   * Draws the seed of a request that sent none.
   * @default a random 32-bit value from `crypto.getRandomValues`
   */
  randomSeed?: () => number
  /**
   * The clock, in ms since the epoch, for the response's `created`.
   * @default Date.now
   */
  now?: () => number
  /**
   * The model listed by `GET /v1/models`.
   * @default 'replay'
   */
  modelName?: string
}

/**
 * An offline backend that answers from a recorded pool (alpaca-bon format): a request whose last user
 * message is exactly a pool instruction gets n of its recorded answers, drawn without replacement. The
 * same `seed` draws the same answers. The pool has no token counts, so `usage` is left undefined
 * rather than reported as zero.
 * @example
 * ```ts
 * const pool = await loadCandidatePool('candidates.jsonl', (path) => readFile(path, 'utf8'))
 * const backend = createReplayBackend({ pool })
 * ```
 */
export function createReplayBackend(options: ReplayBackendOptions): Backend {
  const { pool } = options
  if (typeof pool !== 'object' || pool === null || typeof pool.byInstruction !== 'function') {
    throw new InvalidOptionsError('pool must be a CandidatePool (see parseCandidatePool or loadCandidatePool).', {
      key: 'pool',
    })
  }
  const drawSeed = options.randomSeed ?? randomSeed
  const now = options.now ?? Date.now
  const modelName = options.modelName ?? 'replay'

  return {
    name: 'replay',
    async generate({ request, n, signal }): Promise<GenerateResult> {
      signal?.throwIfAborted()
      const chat = request.endpoint === 'chat'
      const instruction = lastUserText(request.messages)
      const entry = pool.byInstruction(instruction)
      if (entry === undefined) {
        const shown = instruction.length > 80 ? `${instruction.slice(0, 80)}…` : instruction
        throw new InvalidRequestError(
          'The instruction is not in the replay pool; the replay backend only answers recorded instructions ' +
            `(got ${JSON.stringify(shown)}).`,
          { param: chat ? 'messages' : 'prompt' },
        )
      }
      if (n > entry.candidates.length) {
        throw new InvalidRequestError(
          `The replay pool holds ${entry.candidates.length} answers to this instruction; cannot draw ${n}.`,
          { param: 'bonbon.n' },
        )
      }
      const random = createSeededRandom(request.seed ?? drawSeed())
      const drawn = sampleWithoutReplacement(entry.candidates, n, random)
      const candidates = drawn.map((answer, index): Candidate => ({
        index,
        text: answer.output,
        finishReason: 'stop',
        rawChoice: chat
          ? { index, message: { role: 'assistant', content: answer.output }, finish_reason: 'stop', logprobs: null }
          : { index, text: answer.output, finish_reason: 'stop', logprobs: null },
        latencyMs: 0,
      }))
      return {
        candidates,
        fanout: 'native',
        usage: undefined,
        envelope: {
          id: `${chat ? 'chatcmpl' : 'cmpl'}-replay-${crypto.randomUUID()}`,
          object: chat ? 'chat.completion' : 'text_completion',
          created: Math.floor(now() / 1000),
          model: request.model,
        },
      }
    },
    async listModels() {
      return { object: 'list', data: [{ id: modelName, object: 'model', created: 0, owned_by: 'bonbon' }] }
    },
  }
}
