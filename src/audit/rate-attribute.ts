/**
 * The attributes W a RATE audit can measure: the built-in `length` (labelled by counting
 * characters, so flips are checked exactly) and custom ones described in words in the
 * configuration (labelled by an LLM classifier).
 * @module
 */
import { InvalidOptionsError } from '../errors.js'
import { countCharacters } from '../export/count-characters.js'

/** W = 1 when the answer has more characters (Unicode code points) than `threshold`. */
export interface LengthRateAttribute {
  /** Discriminant. */
  readonly kind: 'length'
  /** Always `length`. */
  readonly name: 'length'
  /** Characters an answer must exceed to have W = 1. */
  readonly threshold: number
}

/** An attribute described in words; an LLM labels texts and rewrites them toward a target W. */
export interface CustomRateAttribute {
  /** Discriminant. */
  readonly kind: 'custom'
  /** The name it is selected by. */
  readonly name: string
  /** What the attribute is, in one sentence. */
  readonly description: string
  /** What an answer with W = 1 looks like. */
  readonly positive: string
  /** What an answer with W = 0 looks like. */
  readonly negative: string
}

/** An attribute of a RATE audit. */
export type RateAttribute = LengthRateAttribute | CustomRateAttribute

/** A custom attribute as the configuration describes it. */
export interface RateAttributeDefinition {
  /** The name it is selected by. */
  readonly name: string
  /** What the attribute is. */
  readonly description: string
  /** What W = 1 looks like. */
  readonly positive: string
  /** What W = 0 looks like. */
  readonly negative: string
}

/** What {@link resolveRateAttribute} needs. */
export interface ResolveRateAttributeOptions {
  /** The attribute asked for (`length` or a configured name). */
  readonly name: string
  /** The configured custom attributes. @default none */
  readonly attributes?: readonly RateAttributeDefinition[] | undefined
  /** `length` only: the threshold in characters. @default the median length of `responses` */
  readonly threshold?: number | undefined
  /** The answers to be audited, whose median length is the default threshold. */
  readonly responses: readonly string[]
}

/**
 * Finds the attribute named `name`: `length`, with its threshold, or a configured one (which may
 * not be called `length`).
 * @throws InvalidOptionsError for an unknown name (listing the known ones), a threshold that is not
 * a number ≥ 0, or a threshold given for a custom attribute.
 */
export function resolveRateAttribute(options: ResolveRateAttributeOptions): RateAttribute {
  const attributes = options.attributes ?? []
  const { name, threshold } = options
  if (attributes.some((attribute) => attribute.name === 'length')) {
    throw new InvalidOptionsError('audit.attributes may not redefine the built-in attribute "length".', {
      key: 'audit.attributes',
    })
  }
  if (name === 'length') {
    if (threshold !== undefined && (!Number.isFinite(threshold) || threshold < 0)) {
      throw new InvalidOptionsError(`The length threshold must be a number of characters ≥ 0, got ${threshold}.`, {
        key: 'threshold',
      })
    }
    return { kind: 'length', name: 'length', threshold: threshold ?? medianCharacterCount(options.responses) }
  }
  const custom = attributes.find((attribute) => attribute.name === name)
  if (custom === undefined) {
    const known = ['length', ...attributes.map((attribute) => attribute.name)].join(', ')
    throw new InvalidOptionsError(`Unknown attribute "${name}". Known attributes: ${known} (custom ones come from audit.attributes).`, {
      key: 'attribute',
    })
  }
  if (threshold !== undefined) {
    throw new InvalidOptionsError('A threshold applies to the length attribute only.', { key: 'threshold' })
  }
  return {
    kind: 'custom',
    name: custom.name,
    description: custom.description,
    positive: custom.positive,
    negative: custom.negative,
  }
}

/** The median number of characters of the texts (mean of the middle two for an even count); 0 for none. */
export function medianCharacterCount(texts: readonly string[]): number {
  const counts = texts.map(countCharacters).sort((a, b) => a - b)
  if (counts.length === 0) return 0
  const middle = Math.floor(counts.length / 2)
  const upper = counts[middle] ?? 0
  return counts.length % 2 === 1 ? upper : ((counts[middle - 1] ?? 0) + upper) / 2
}

/** W of a text under the length attribute: true when it has more than `threshold` characters. */
export function labelByLength(text: string, threshold: number): boolean {
  return countCharacters(text) > threshold
}

/** The attribute in words, for reports ("answer longer than 412 characters"). */
export function describeRateAttribute(attribute: RateAttribute): string {
  if (attribute.kind === 'length') return `answer longer than ${formatThreshold(attribute.threshold)} characters`
  return `${attribute.name}: ${attribute.description} (W=1: ${attribute.positive}; W=0: ${attribute.negative})`
}

/** The attribute as one canonical string, part of every cache key. */
export function rateAttributeCacheSpec(attribute: RateAttribute): string {
  return attribute.kind === 'length'
    ? JSON.stringify(['length', attribute.threshold])
    : JSON.stringify(['custom', attribute.name, attribute.description, attribute.positive, attribute.negative])
}

/** A threshold as people read it: whole numbers plainly, a median between two counts with its .5. */
export function formatThreshold(threshold: number): string {
  return Number.isInteger(threshold) ? String(threshold) : threshold.toFixed(1)
}
