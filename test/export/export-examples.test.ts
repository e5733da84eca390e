import { describe, expect, it } from 'vitest'
import { toBonbonExample } from '../../src/export/bonbon-example.js'
import { toOpenAIExample } from '../../src/export/openai-example.js'
import { toPreferencePair, type PreferencePair } from '../../src/export/preference-pair.js'
import { isFlattenedForStandard, toTrlExample } from '../../src/export/trl-example.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { betaStar, ipoTarget } from '../../src/select/theory/index.js'
import { makeRecord } from '../log/preference-record-fixture.js'
import { loadExportSchema } from './json-schema-subset.js'

function pairOf(record: PreferenceRecord): PreferencePair {
  const { pair } = toPreferencePair(record)
  if (pair === undefined) throw new Error('the fixture record has a pair')
  return pair
}

/** A serialised line read back, as a trainer would. */
function roundTrip(example: unknown): unknown {
  return JSON.parse(JSON.stringify(example))
}

const record = makeRecord()
const trl = loadExportSchema('trl')
const openai = loadExportSchema('openai')
const bonbon = loadExportSchema('bonbon')
const jsonl = loadExportSchema('jsonl')

describe('export lines', () => {
  it('writes TRL conversational lines whose chosen and rejected hold one assistant message and no prompt', () => {
    const line = roundTrip(toTrlExample(pairOf(record)))
    expect(trl(line)).toEqual([])
    expect(line).toEqual({
      prompt: record.messages,
      chosen: [{ role: 'assistant', content: record.candidates[0]?.text }],
      rejected: [{ role: 'assistant', content: 'Short answer.' }],
    })
  })

  it('writes TRL standard lines with the last user message as the prompt', () => {
    const line = roundTrip(toTrlExample(pairOf(record), 'standard'))
    expect(trl(line)).toEqual([])
    expect(line).toEqual({ prompt: '日本語で説明して 🍬', chosen: record.candidates[0]?.text, rejected: 'Short answer.' })
    expect(isFlattenedForStandard(record.messages)).toBe(true)
    expect(isFlattenedForStandard([{ role: 'user', content: 'hi' }])).toBe(false)
  })

  it('rejects TRL lines that repeat the prompt in chosen or mix the styles', () => {
    const repeated = { prompt: record.messages, chosen: [...record.messages, { role: 'assistant', content: 'x' }], rejected: [{ role: 'assistant', content: 'y' }] }
    expect(trl(roundTrip(repeated))).not.toEqual([])
    expect(trl({ prompt: 'text', chosen: [{ role: 'assistant', content: 'x' }], rejected: 'y' })).not.toEqual([])
  })

  it('writes OpenAI preference lines with input.messages and one output each', () => {
    const line = roundTrip(toOpenAIExample(pairOf(record)))
    expect(openai(line)).toEqual([])
    expect(line).toMatchObject({
      input: { messages: record.messages },
      preferred_output: [{ role: 'assistant', content: record.candidates[0]?.text }],
      non_preferred_output: [{ role: 'assistant', content: 'Short answer.' }],
    })
    expect(openai({ input: { messages: record.messages }, preferred_output: [], non_preferred_output: [] })).not.toEqual([])
  })

  it('writes bonbon lines whose n counts the scored candidates and whose beta_n follows from it', () => {
    const line = roundTrip(toBonbonExample(pairOf(record)))
    expect(bonbon(line)).toEqual([])
    // Three candidates were requested and one failed: best and worst are extremes of two draws.
    expect(line).toMatchObject({
      n: 2,
      rewards: [1.25, -0.5],
      beta_n: betaStar(2),
      ipo_target: ipoTarget(2),
      alpha: 0.005,
      reference_logprob_best: -8.5,
      reference_logprob_worst: null,
      temperature: 0.7,
      request_id: 'req-0001',
      model: 'qwen2.5-7b-instruct',
      created_at: '2025-03-01T12:00:00.000Z',
    })
  })

  it('leaves the temperature null when the request did not send a number', () => {
    const unset = toBonbonExample(pairOf(makeRecord({ params: { max_tokens: 16 } })))
    const invalid = toBonbonExample(pairOf(makeRecord({ params: { temperature: 'hot' } })))
    expect([unset.temperature, invalid.temperature]).toEqual([null, null])
  })

  it('rejects bonbon lines missing the reference log-probabilities or with n below 2', () => {
    const line = toBonbonExample(pairOf(record))
    const { reference_logprob_best: _omitted, ...missing } = line
    expect(bonbon(roundTrip(missing))).toEqual(['(root): missing reference_logprob_best'])
    expect(bonbon(roundTrip({ ...line, n: 1 }))).toEqual(['/n: below minimum 2'])
  })

  it('writes jsonl lines that are the record itself', () => {
    const line = roundTrip(record)
    expect(jsonl(line)).toEqual([])
    expect(line).toEqual(record)
    expect(jsonl(roundTrip({ ...record, createdAt: 'yesterday' }))).toEqual(['/createdAt: not an RFC 3339 date-time'])
  })
})
