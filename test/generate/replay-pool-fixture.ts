import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A tiny pool in the alpaca-bon format: two instructions, five and two answers. */
export const tinyPoolRecords = [
  {
    id: 0,
    instruction: 'Name a fruit.',
    dataset: 'helpful_base',
    candidates: [
      { generator: 'model-a', output: 'Apple.', judge_preference: 0.1, length_chars: 6 },
      { generator: 'model-b', output: 'A banana is a fruit.', judge_preference: 0.9, length_chars: 20 },
      { generator: 'model-c', output: 'Cherry.', judge_preference: 0.4, length_chars: 7 },
      { generator: 'model-d', output: '', judge_preference: 0.0, length_chars: 0 },
      { generator: 'model-e', output: '', judge_preference: 0.2, length_chars: 0 },
    ],
  },
  {
    id: 1,
    instruction: 'Say hi.',
    dataset: 'koala',
    candidates: [
      { generator: 'model-a', output: 'Hi!', judge_preference: 0.6, length_chars: 3 },
      { generator: 'model-b', output: 'Hello there.', judge_preference: 0.3, length_chars: 12 },
    ],
  },
]

/** The tiny pool as JSONL text. */
export const tinyPoolText = `${tinyPoolRecords.map((record) => JSON.stringify(record)).join('\n')}\n`

/** Writes the tiny pool to a fresh temp file and returns its path. */
export async function writeTinyPool(text: string = tinyPoolText): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'bonbon-pool-')), 'candidates.jsonl')
  await writeFile(path, text, 'utf8')
  return path
}

/** Where CI keeps the real alpaca-bon pool, next to the repository. */
export const alpacaBonPath = join(import.meta.dirname, '../../../shared/data/alpaca-bon/candidates.jsonl')
