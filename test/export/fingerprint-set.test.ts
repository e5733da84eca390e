import { describe, expect, it } from 'vitest'
import { createFingerprintSet } from '../../src/export/fingerprint-set.js'
import { fingerprintFraction, fingerprintText } from '../../src/export/text-fingerprint.js'
import { createSeededRandom } from '../../src/util/random.js'

describe('createFingerprintSet', () => {
  it('remembers 100,000 fingerprints across growth and recognises every repeat', () => {
    const random = createSeededRandom(7)
    const draw = () => ({ high: Math.floor(random() * 2 ** 32), low: Math.floor(random() * 2 ** 32) })
    const members = Array.from({ length: 100_000 }, draw)
    const set = createFingerprintSet({ expectedSize: 10 })
    expect(members.every((member) => set.add(member))).toBe(true)
    expect(set.size).toBe(100_000)
    expect(members.every((member) => set.has({ ...member }) && !set.add({ ...member }))).toBe(true)
    expect(set.size).toBe(100_000)
    expect(set.has({ high: 1, low: 2 })).toBe(false)
  })

  it('keeps fingerprints that differ only in their high word apart, and stores the all-zero one', () => {
    const set = createFingerprintSet()
    expect(set.add({ high: 1, low: 5 })).toBe(true)
    expect(set.add({ high: 2, low: 5 })).toBe(true)
    expect(set.add({ high: 0, low: 0 })).toBe(true)
    expect(set.has({ high: 0, low: 0 })).toBe(true)
    expect(set.size).toBe(3)
  })
})

describe('fingerprintText', () => {
  it('takes the first 64 bits of SHA-256', async () => {
    // SHA-256("abc") = ba7816bf 8f01cfea ...
    expect(await fingerprintText('abc')).toEqual({ high: 0xba7816bf, low: 0x8f01cfea })
    expect(fingerprintFraction({ high: 0x80000000, low: 0 })).toBe(0.5)
  })
})
