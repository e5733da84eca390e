import { describe, expect, it } from 'vitest'
import {
  describeRateAttribute,
  labelByLength,
  medianCharacterCount,
  resolveRateAttribute,
} from '../../src/audit/rate-attribute.js'
import { InvalidOptionsError } from '../../src/errors.js'

const formal = { name: 'formal', description: 'tone', positive: 'formal', negative: 'casual' }

describe('resolveRateAttribute', () => {
  it('puts the length threshold at the median length of the audited answers by default', () => {
    const responses = ['a'.repeat(10), 'b'.repeat(40), 'c'.repeat(20), 'd'.repeat(30), 'e'.repeat(50)]
    const attribute = resolveRateAttribute({ name: 'length', responses })
    expect(attribute).toEqual({ kind: 'length', name: 'length', threshold: 30 })
    expect(responses.filter((text) => labelByLength(text, 30))).toHaveLength(2)
  })

  it('takes the midpoint of the middle two lengths for an even count', () => {
    expect(medianCharacterCount(['aa', 'aaaa', 'a', 'aaaaaaa'])).toBe(3)
    expect(resolveRateAttribute({ name: 'length', responses: ['aa', 'aaaa', 'a', 'aaaaaaa'] })).toMatchObject({ threshold: 3 })
  })

  it('counts characters as code points, so an emoji is one', () => {
    expect(medianCharacterCount(['🍬🍬🍬'])).toBe(3)
    expect(labelByLength('🍬🍬🍬', 2)).toBe(true)
    expect(labelByLength('🍬🍬', 2)).toBe(false)
  })

  it('uses a given threshold instead of the median', () => {
    expect(resolveRateAttribute({ name: 'length', threshold: 0, responses: ['abc'] })).toMatchObject({ threshold: 0 })
    expect(() => resolveRateAttribute({ name: 'length', threshold: -1, responses: [] })).toThrow(InvalidOptionsError)
  })

  it('finds a configured attribute by name', () => {
    expect(resolveRateAttribute({ name: 'formal', attributes: [formal], responses: [] })).toEqual({ kind: 'custom', ...formal })
  })

  it('lists the known attributes when the name is unknown', () => {
    expect(() => resolveRateAttribute({ name: 'formality', attributes: [formal], responses: [] })).toThrow(
      'Unknown attribute "formality". Known attributes: length, formal',
    )
  })

  it('refuses a threshold for a custom attribute and a custom attribute named length', () => {
    expect(() => resolveRateAttribute({ name: 'formal', attributes: [formal], threshold: 3, responses: [] })).toThrow(
      'A threshold applies to the length attribute only.',
    )
    expect(() => resolveRateAttribute({ name: 'formal', attributes: [formal, { ...formal, name: 'length' }], responses: [] })).toThrow(
      /may not redefine the built-in attribute "length"/,
    )
  })

  it('describes attributes for reports', () => {
    expect(describeRateAttribute({ kind: 'length', name: 'length', threshold: 412.5 })).toBe('answer longer than 412.5 characters')
    expect(describeRateAttribute({ kind: 'custom', ...formal })).toBe('formal: tone (W=1: formal; W=0: casual)')
  })
})
