import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import { loadCandidatePool, parseCandidatePool } from '../../src/generate/candidate-pool.js'
import { alpacaBonPath, tinyPoolText, writeTinyPool } from './replay-pool-fixture.js'

describe('parseCandidatePool', () => {
  it('looks up items by exact instruction and rewards by (instruction, answer)', () => {
    const pool = parseCandidatePool(tinyPoolText)

    expect(pool.items.map((item) => item.instruction)).toEqual(['Name a fruit.', 'Say hi.'])
    expect(pool.byInstruction('Say hi.')?.candidates).toHaveLength(2)
    expect(pool.byInstruction('say hi.')).toBeUndefined()
    expect(pool.byInstruction('Say hi. ')).toBeUndefined()
    expect(pool.rewardOf('Name a fruit.', 'A banana is a fruit.')).toBe(0.9)
    expect(pool.rewardOf('Say hi.', 'A banana is a fruit.')).toBeUndefined()
  })

  it('gives identical answers recorded twice the mean of their rewards', () => {
    const pool = parseCandidatePool(tinyPoolText)

    expect(pool.rewardOf('Name a fruit.', '')).toBeCloseTo(0.1, 12)
  })

  it('accepts the minimal record and skips blank lines', () => {
    const pool = parseCandidatePool('\n{"instruction":"Q","candidates":[{"output":"A","judge_preference":1}]}\r\n\n')

    expect(pool.rewardOf('Q', 'A')).toBe(1)
  })

  it('names the line of a record that is not JSON', () => {
    expect(() => parseCandidatePool(`${tinyPoolText}{"instruction": "Q",\n`)).toThrow(/line 3 is not JSON/)
  })

  it('names the line and field of an invalid record', () => {
    const bad = '{"instruction":"Q","candidates":[{"output":"A","judge_preference":"high"}]}'
    const error: unknown = (() => {
      try {
        parseCandidatePool(`${tinyPoolText}\n${bad}`)
      } catch (caught) {
        return caught
      }
    })()

    expect(InvalidOptionsError.isInstance(error)).toBe(true)
    expect(String(error)).toMatch(/line 4 is invalid: candidates\.0\.judge_preference/)
  })

  it('refuses an instruction recorded twice', () => {
    expect(() => parseCandidatePool(`${tinyPoolText}${tinyPoolText}`)).toThrow(/line 3: the instruction repeats line 1/)
  })
})

describe('loadCandidatePool', () => {
  it('reads and parses a file once per path', async () => {
    const path = await writeTinyPool()
    let reads = 0
    const readTextFile = (file: string) => {
      reads += 1
      return readFile(file, 'utf8')
    }

    const [first, second] = await Promise.all([loadCandidatePool(path, readTextFile), loadCandidatePool(path, readTextFile)])

    expect(first).toBe(second)
    expect(reads).toBe(1)
    expect(first.byInstruction('Say hi.')).toBeDefined()
  })

  it('names a pool file that does not exist in an options error, not a bare ENOENT', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bonbon-pool-')), 'missing.jsonl')
    const loading = loadCandidatePool(path, (file) => readFile(file, 'utf8'))

    await expect(loading).rejects.toSatisfy(InvalidOptionsError.isInstance)
    await expect(loading).rejects.toThrow(`Cannot read the candidate pool ${path}: no such file`)
  })

  it('reads a file again after a failed load', async () => {
    const path = await writeTinyPool('not json\n')
    let text = 'not json\n'
    const readTextFile = async () => text

    await expect(loadCandidatePool(path, readTextFile)).rejects.toThrow(/line 1 is not JSON/)
    text = tinyPoolText
    await expect(loadCandidatePool(path, readTextFile)).resolves.toMatchObject({ items: expect.any(Array) })
  })

  it.skipIf(!existsSync(alpacaBonPath))('loads the real alpaca-bon pool: 486 instructions of 22 answers', async () => {
    const pool = await loadCandidatePool(alpacaBonPath, (file) => readFile(file, 'utf8'))

    expect(pool.items).toHaveLength(486)
    expect(pool.items.every((item) => item.candidates.length === 22)).toBe(true)
    const first = pool.byInstruction('What are the names of some famous actors that started their careers on Broadway?')
    expect(first?.candidates[0]?.generator).toBe('Qwen-14B-Chat')
    expect(pool.rewardOf(first?.instruction ?? '', first?.candidates[0]?.output ?? '')).toBe(5.56221e-5)
  })
})
