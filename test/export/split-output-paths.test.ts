import { describe, expect, it } from 'vitest'
import { splitOutputPaths } from '../../src/export/split-output-paths.js'

describe('splitOutputPaths', () => {
  it('replaces a .jsonl or .json extension and appends to any other name', () => {
    expect(splitOutputPaths('data/pairs.jsonl')).toEqual({ train: 'data/pairs.train.jsonl', test: 'data/pairs.test.jsonl' })
    expect(splitOutputPaths('pairs.JSON')).toEqual({ train: 'pairs.train.jsonl', test: 'pairs.test.jsonl' })
    expect(splitOutputPaths('out/pairs')).toEqual({ train: 'out/pairs.train.jsonl', test: 'out/pairs.test.jsonl' })
    expect(splitOutputPaths('pairs.v2.txt')).toEqual({ train: 'pairs.v2.txt.train.jsonl', test: 'pairs.v2.txt.test.jsonl' })
  })
})
