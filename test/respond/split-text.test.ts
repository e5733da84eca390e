import { describe, expect, it } from 'vitest'
import { splitText } from '../../src/respond/split-text.js'

describe('splitText', () => {
  it('keeps every character whole, including surrogate pairs and emoji sequences', () => {
    const text = 'café 👩‍👩‍👧 naïve 🇫🇷 e\u0301 漢字'.repeat(5)
    for (const size of [1, 2, 3, 7]) {
      const pieces = splitText(text, size)
      expect(pieces.join('')).toBe(text)
      for (const piece of pieces) {
        // A lone surrogate or a piece starting with a combining mark would mean a split character.
        expect(piece).not.toMatch(/^[\u0300-\u036f\u200d\udc00-\udfff]|[\ud800-\udbff]$/)
      }
    }
  })

  it('returns no pieces for empty text', () => {
    expect(splitText('', 4)).toEqual([])
  })
})
