import { describe, expect, it } from 'vitest'
import { exportFormats } from '../../src/export/export-format.js'
import { compileSchema, loadExportSchema } from './json-schema-subset.js'

describe('compileSchema', () => {
  it('refuses a keyword it does not implement rather than ignoring it', () => {
    expect(() => compileSchema({ type: 'string', pattern: '^a' })).toThrow(/unsupported keyword pattern/)
    expect(() => compileSchema({ properties: { a: { uniqueItems: true } } })).toThrow(/uniqueItems/)
    expect(() => compileSchema({ type: 'string', format: 'email' })).toThrow(/unsupported format/)
  })

  it('reports each violation with its path', () => {
    const validate = compileSchema({
      type: 'object',
      required: ['a', 'b'],
      additionalProperties: false,
      properties: {
        a: { type: 'array', minItems: 1, maxItems: 1, items: { $ref: '#/$defs/item' } },
        b: { type: ['number', 'null'], minimum: 0 },
      },
      $defs: { item: { type: 'object', required: ['role'], properties: { role: { const: 'assistant' } } } },
    })
    expect(validate({ a: [{ role: 'assistant' }], b: null })).toEqual([])
    expect(validate({ a: [{ role: 'user' }, { role: 'assistant' }], b: -1, c: 1 }).sort()).toEqual([
      '(root): unexpected property c',
      '/a/0/role: expected "assistant"',
      '/a: more than 1 items',
      '/b: below minimum 0',
    ])
    expect(validate({ a: [] })).toEqual(['(root): missing b', '/a: fewer than 1 items'])
  })

  it('requires exactly one oneOf branch and a real RFC 3339 date-time', () => {
    const validate = compileSchema({
      oneOf: [{ type: 'integer' }, { type: 'number', minimum: 1 }],
    })
    expect(validate(1.5)).toEqual([])
    expect(validate(2)).toEqual(['(root): matches 2 of oneOf, not exactly one'])
    const date = compileSchema({ type: 'string', format: 'date-time' })
    expect(date('2025-03-01T12:00:00.000Z')).toEqual([])
    expect(date('2025-03-01')).toHaveLength(1)
  })

  it('compiles the schema of every export format', () => {
    for (const format of exportFormats) expect(() => loadExportSchema(format)).not.toThrow()
  })
})
