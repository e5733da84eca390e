import { describe, expect, it } from 'vitest'
import { createSeededRandom, randomSeed, sampleWithoutReplacement } from '../../src/util/random.js'

describe('createSeededRandom', () => {
  it('repeats its sequence for the same seed and stays in [0, 1)', () => {
    const a = createSeededRandom(42)
    const b = createSeededRandom(42)
    const values = Array.from({ length: 1_000 }, () => a())

    expect(values).toEqual(Array.from({ length: 1_000 }, () => b()))
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true)
  })

  it('keeps 64-bit seeds that share their low 32 bits apart', () => {
    expect(createSeededRandom(2 ** 32 + 5)()).not.toBe(createSeededRandom(5)())
  })
})

describe('sampleWithoutReplacement', () => {
  it('draws k distinct items', () => {
    const items = Array.from({ length: 22 }, (_, i) => i)

    const drawn = sampleWithoutReplacement(items, 8, createSeededRandom(1))

    expect(drawn).toHaveLength(8)
    expect(new Set(drawn).size).toBe(8)
    expect(items).toEqual(Array.from({ length: 22 }, (_, i) => i))
  })

  it('draws every item about equally often', () => {
    const random = createSeededRandom(2024)
    const counts = new Array<number>(5).fill(0)
    for (let trial = 0; trial < 10_000; trial++) {
      for (const item of sampleWithoutReplacement([0, 1, 2, 3, 4], 2, random)) counts[item] = (counts[item] ?? 0) + 1
    }

    // Each item is drawn with probability 2/5: 4,000 expected, sd ≈ 49.
    for (const count of counts) expect(Math.abs(count - 4_000)).toBeLessThan(250)
  })

  it('refuses to draw more items than there are', () => {
    expect(() => sampleWithoutReplacement([1, 2], 3, Math.random)).toThrow(RangeError)
  })
})

describe('randomSeed', () => {
  it('returns a 32-bit unsigned integer', () => {
    const seed = randomSeed()

    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true)
  })
})
