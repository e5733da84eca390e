import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runBestOfN } from '../../src/best-of-n.js'
import { parseCandidatePool, type CandidatePool } from '../../src/generate/candidate-pool.js'
import { createReplayBackend } from '../../src/generate/replay-backend.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import { createReplayRewardModel } from '../../src/score/replay-reward-model.js'

/** The shipped sample: 40 AlpacaEval instructions, 22 real answers each, judge preferences as rewards. */
export const samplePath = fileURLToPath(new URL('../../examples/data/alpaca-sample.jsonl', import.meta.url))

/** Options of {@link replaySample}. */
export interface ReplaySampleOptions {
  /** SQLite file the records are written to through the real sink. */
  readonly path: string
  /** Fan-out sizes; every instruction is asked once per size and repetition. @default [4] */
  readonly sizes?: readonly number[]
  /** Requests per instruction and size, with seeds 0, 1, ... @default 1 */
  readonly repetitions?: number
  /** The `model` of the requests. @default 'replay' */
  readonly model?: string
  /** The request's `temperature`, or undefined to send none. @default 1 */
  readonly temperature?: number
  /** Rounds every judge preference to this many decimals: a coarse judge that ties often. */
  readonly roundRewardsTo?: number
  /** Only the first this many instructions. @default all 40 */
  readonly instructions?: number
  /** Milliseconds since the epoch of the first request. @default 2025-03-01T00:00:00Z */
  readonly startAt?: number
}

/** The sample pool, optionally with its judge preferences rounded. */
export function loadSamplePool(roundRewardsTo?: number): CandidatePool {
  const pool = parseCandidatePool(readFileSync(samplePath, 'utf8'))
  if (roundRewardsTo === undefined) return pool
  const factor = 10 ** roundRewardsTo
  const rounded = pool.items
    .map((item) =>
      JSON.stringify({
        ...item,
        candidates: item.candidates.map((candidate) => ({
          ...candidate,
          judge_preference: Math.round(candidate.judge_preference * factor) / factor,
        })),
      }),
    )
    .join('\n')
  return parseCandidatePool(rounded)
}

/**
 * Replays the sample through the real pipeline (replay backend, replay reward model, runBestOfN) and
 * logs every run through the real SQLite sink, as `bonbon serve` over the sample would.
 * @returns The records written, in order.
 */
export async function replaySample(options: ReplaySampleOptions): Promise<PreferenceRecord[]> {
  const pool = loadSamplePool(options.roundRewardsTo)
  const items = pool.items.slice(0, options.instructions ?? pool.items.length)
  let clock = options.startAt ?? Date.UTC(2025, 2, 1)
  const pipeline = {
    backend: createReplayBackend({ pool, randomSeed: () => 0, now: () => clock }),
    rewardModel: createReplayRewardModel({ pool }),
    n: 4,
    maxN: 22,
    now: () => (clock += 250),
  }
  const sink = createSqliteSink({ path: options.path })
  const records: PreferenceRecord[] = []
  const temperature = 'temperature' in options ? options.temperature : 1
  try {
    for (const n of options.sizes ?? [4]) {
      for (let repetition = 0; repetition < (options.repetitions ?? 1); repetition++) {
        for (const [i, item] of items.entries()) {
          const body = {
            model: options.model ?? 'replay',
            messages: [{ role: 'user', content: item.instruction }],
            seed: repetition * 1_000 + i,
            ...(temperature === undefined ? {} : { temperature }),
            bonbon: { n },
          }
          const request = parseRequest(body, { endpoint: 'chat' })
          const requestId = `req-${options.model ?? 'replay'}-${n}-${repetition}-${String(i).padStart(2, '0')}`
          const { record } = await runBestOfN({ request, requestId }, pipeline)
          records.push(record)
          await sink.write(record)
        }
      }
    }
  } finally {
    await sink.close()
  }
  return records
}
