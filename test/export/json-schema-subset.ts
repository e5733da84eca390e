/**
 * A validator for the subset of JSON Schema (2020-12) that schemas/*.schema.json use. It refuses any
 * keyword it does not implement, so a schema can never look stricter than the check really is.
 */

import { readFileSync } from 'node:fs'
import type { ExportFormat } from '../../src/export/export-format.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Schema = { readonly [keyword: string]: unknown }

const annotations = new Set(['$schema', '$id', 'title', 'description', '$comment', 'examples', 'default', '$defs'])
const assertions = new Set([
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minLength',
  'anyOf',
  'oneOf',
  'format',
])

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function typeMatches(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value)
    case 'array':
      return Array.isArray(value)
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'null':
      return value === null
    default:
      throw new Error(`unsupported type ${String(type)}`)
  }
}

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** A compiled validator: returns the violations, empty when the value conforms. */
export type Validator = (value: unknown) => string[]

/**
 * Compiles a schema. Throws at once when the schema uses a keyword outside the subset.
 */
export function compileSchema(root: Schema): Validator {
  const check = (schema: unknown): void => {
    if (!isObject(schema)) throw new Error('a schema must be an object')
    for (const keyword of Object.keys(schema)) {
      if (!annotations.has(keyword) && !assertions.has(keyword)) throw new Error(`unsupported keyword ${keyword}`)
    }
    const defs = schema['$defs']
    if (isObject(defs)) Object.values(defs).forEach(check)
    const properties = schema['properties']
    if (isObject(properties)) Object.values(properties).forEach(check)
    if (isObject(schema['items'])) check(schema['items'])
    if (isObject(schema['additionalProperties'])) check(schema['additionalProperties'])
    for (const key of ['anyOf', 'oneOf']) {
      const list = schema[key]
      if (Array.isArray(list)) list.forEach(check)
    }
    if (schema['format'] !== undefined && schema['format'] !== 'date-time') {
      throw new Error(`unsupported format ${String(schema['format'])}`)
    }
  }
  check(root)

  const resolve = (ref: unknown): Schema => {
    const match = typeof ref === 'string' ? /^#\/\$defs\/([\w-]+)$/.exec(ref) : null
    const defs = root['$defs']
    const target = match && isObject(defs) ? defs[match[1] as string] : undefined
    if (!isObject(target)) throw new Error(`unresolvable $ref ${String(ref)}`)
    return target
  }

  const validate = (schema: Schema, value: unknown, path: string): string[] => {
    const errors: string[] = []
    const fail = (message: string) => errors.push(`${path || '(root)'}: ${message}`)
    if (schema['$ref'] !== undefined) errors.push(...validate(resolve(schema['$ref']), value, path))
    const type = schema['type']
    if (type !== undefined) {
      const types = Array.isArray(type) ? type : [type]
      if (!types.some((candidate) => typeMatches(value, candidate))) fail(`expected ${types.join(' or ')}`)
    }
    if (schema['const'] !== undefined && JSON.stringify(value) !== JSON.stringify(schema['const'])) {
      fail(`expected ${JSON.stringify(schema['const'])}`)
    }
    const allowed = schema['enum']
    if (Array.isArray(allowed) && !allowed.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
      fail(`expected one of ${JSON.stringify(allowed)}`)
    }
    if (typeof value === 'number') {
      const { minimum, maximum, exclusiveMinimum } = schema
      if (typeof minimum === 'number' && value < minimum) fail(`below minimum ${minimum}`)
      if (typeof maximum === 'number' && value > maximum) fail(`above maximum ${maximum}`)
      if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) fail(`not above ${exclusiveMinimum}`)
    }
    if (typeof value === 'string') {
      const minLength = schema['minLength']
      if (typeof minLength === 'number' && [...value].length < minLength) fail(`shorter than ${minLength}`)
      if (schema['format'] === 'date-time' && (!dateTime.test(value) || Number.isNaN(Date.parse(value)))) {
        fail('not an RFC 3339 date-time')
      }
    }
    if (Array.isArray(value)) {
      const { minItems, maxItems, items } = schema
      if (typeof minItems === 'number' && value.length < minItems) fail(`fewer than ${minItems} items`)
      if (typeof maxItems === 'number' && value.length > maxItems) fail(`more than ${maxItems} items`)
      if (isObject(items)) value.forEach((item, i) => errors.push(...validate(items, item, `${path}/${i}`)))
    }
    if (isObject(value)) {
      const properties = isObject(schema['properties']) ? schema['properties'] : {}
      const required = schema['required']
      if (Array.isArray(required)) {
        for (const key of required) if (typeof key === 'string' && !(key in value)) fail(`missing ${key}`)
      }
      for (const [key, item] of Object.entries(value)) {
        const property = properties[key]
        if (isObject(property)) errors.push(...validate(property, item, `${path}/${key}`))
        else if (schema['additionalProperties'] === false) fail(`unexpected property ${key}`)
        else if (isObject(schema['additionalProperties'])) {
          errors.push(...validate(schema['additionalProperties'], item, `${path}/${key}`))
        }
      }
    }
    const anyOf = schema['anyOf']
    if (Array.isArray(anyOf) && !anyOf.some((option: Schema) => validate(option, value, path).length === 0)) {
      fail('matches none of anyOf')
    }
    const oneOf = schema['oneOf']
    if (Array.isArray(oneOf)) {
      const matches = oneOf.filter((option: Schema) => validate(option, value, path).length === 0).length
      if (matches !== 1) fail(`matches ${matches} of oneOf, not exactly one`)
    }
    return errors
  }

  return (value) => validate(root, value, '')
}

/** Compiles `schemas/<format>.schema.json` from the repository root. */
export function loadExportSchema(format: ExportFormat): Validator {
  const schema: unknown = JSON.parse(readFileSync(new URL(`../../schemas/${format}.schema.json`, import.meta.url), 'utf8'))
  if (!isObject(schema)) throw new Error(`schemas/${format}.schema.json does not hold a schema object`)
  return compileSchema(schema)
}
