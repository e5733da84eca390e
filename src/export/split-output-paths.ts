/** The two files a split export writes. */
export interface SplitOutputPaths {
  readonly train: string
  readonly test: string
}

/**
 * Names the files of a split export after `--out`: a trailing `.jsonl` (or `.json`) is replaced by
 * `.train.jsonl` and `.test.jsonl`, and any other name gets them appended.
 * @example
 * splitOutputPaths('data/pairs.jsonl') // { train: 'data/pairs.train.jsonl', test: 'data/pairs.test.jsonl' }
 * splitOutputPaths('data/pairs')       // { train: 'data/pairs.train.jsonl', test: 'data/pairs.test.jsonl' }
 */
export function splitOutputPaths(out: string): SplitOutputPaths {
  const base = out.replace(/\.jsonl?$/i, '')
  return { train: `${base}.train.jsonl`, test: `${base}.test.jsonl` }
}
