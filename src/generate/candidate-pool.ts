import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'

/** One recorded answer of a pool (alpaca-bon format); only `output` and `judge_preference` are required. */
export const poolCandidateSchema = z.looseObject({
  /** The model that wrote the answer. */
  generator: z.string().nullish(),
  /** The answer's text, unchanged (may be empty). */
  output: z.string(),
  /** The judge's preference of this answer over a reference, used as its reward. */
  judge_preference: z.number(),
  /** The answer's length in Unicode code points. */
  length_chars: z.number().nullish(),
})

/** One line of a pool: an instruction and its recorded answers. */
export const candidatePoolItemSchema = z.looseObject({
  id: z.number().nullish(),
  /** The prompt, matched exactly against a request's last user message. */
  instruction: z.string(),
  /** The subset the instruction comes from (`helpful_base`, `koala`, ...). */
  dataset: z.string().nullish(),
  candidates: z.array(poolCandidateSchema).min(1, 'candidates must hold at least one answer'),
})

/** One recorded answer, as parsed. */
export type PoolCandidate = z.infer<typeof poolCandidateSchema>
/** One instruction with its recorded answers, as parsed. */
export type CandidatePoolItem = z.infer<typeof candidatePoolItemSchema>

/** Recorded instructions and answers, looked up by exact text. */
export interface CandidatePool {
  /** Every instruction with its answers, in file order. */
  readonly items: readonly CandidatePoolItem[]
  /** The item whose instruction is exactly `instruction`, if any. */
  byInstruction(instruction: string): CandidatePoolItem | undefined
  /**
   * The recorded reward of `answer` to `instruction`, or undefined when the pool holds no such answer.
   * Identical answers recorded twice (two models can write the same text) get the mean of their rewards.
   */
  rewardOf(instruction: string, answer: string): number | undefined
}

/**
 * Parses a JSONL pool, one `{instruction, candidates: [{output, judge_preference}]}` per line; blank
 * lines are skipped.
 * @throws InvalidOptionsError naming the line of the first bad record, or a repeated instruction.
 */
export function parseCandidatePool(text: string): CandidatePool {
  const items: CandidatePoolItem[] = []
  const byInstruction = new Map<string, { item: CandidatePoolItem; line: number; rewards: Map<string, number> }>()
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === '') return
    const item = parseLine(raw, line)
    const previous = byInstruction.get(item.instruction)
    if (previous) {
      throw new InvalidOptionsError(
        `Candidate pool line ${line}: the instruction repeats line ${previous.line}; ` +
          'replayed lookups would be ambiguous.',
      )
    }
    items.push(item)
    byInstruction.set(item.instruction, { item, line, rewards: meanRewardByOutput(item) })
  })
  return {
    items,
    byInstruction: (instruction) => byInstruction.get(instruction)?.item,
    rewardOf: (instruction, answer) => byInstruction.get(instruction)?.rewards.get(answer),
  }
}

const poolCache = new Map<string, Promise<CandidatePool>>()

/**
 * Reads and parses a pool once per path: the replay backend and the replay scorer share one copy. A
 * failed read is not cached, so a fixed file can be loaded again.
 * @param readTextFile Reads a whole file as UTF-8 (on Node, `fs.readFile(path, 'utf8')`).
 */
export function loadCandidatePool(
  path: string,
  readTextFile: (path: string) => Promise<string>,
): Promise<CandidatePool> {
  const cached = poolCache.get(path)
  if (cached) return cached
  const loading = readTextFile(path).then(parseCandidatePool, (error: unknown) => {
    // A missing or unreadable pool is the operator's to fix: say which file, without a stack.
    throw new InvalidOptionsError(`Cannot read the candidate pool ${path}: ${describeReadError(error)}`, { cause: error })
  })
  poolCache.set(path, loading)
  loading.catch(() => {
    if (poolCache.get(path) === loading) poolCache.delete(path)
  })
  return loading
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a folder'
  return error instanceof Error ? error.message : String(error)
}

function parseLine(raw: string, line: number): CandidatePoolItem {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    throw new InvalidOptionsError(`Candidate pool line ${line} is not JSON: ${String(error)}`, { cause: error })
  }
  const result = candidatePoolItemSchema.safeParse(json)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  throw new InvalidOptionsError(`Candidate pool line ${line} is invalid: ${where}${issue?.message ?? 'bad record'}`)
}

function meanRewardByOutput(item: CandidatePoolItem): Map<string, number> {
  const sums = new Map<string, { total: number; count: number }>()
  for (const candidate of item.candidates) {
    const sum = sums.get(candidate.output) ?? { total: 0, count: 0 }
    sum.total += candidate.judge_preference
    sum.count += 1
    sums.set(candidate.output, sum)
  }
  return new Map([...sums].map(([output, sum]) => [output, sum.total / sum.count]))
}
