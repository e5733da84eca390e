import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { startGuardedGateway, type GuardedGateway } from './guarded-gateway-fixture.js'

/** One request the fuzzer sends. */
interface FuzzRequest {
  readonly path: string
  /** The body, as text or raw bytes. */
  readonly body: string | Uint8Array<ArrayBuffer>
  readonly headers: Record<string, string>
}

const errorBodySchema = z.strictObject({
  error: z.strictObject({
    message: z.string().min(1),
    type: z.string().min(1),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
})
const completionSchema = z.looseObject({
  object: z.enum(['chat.completion', 'text_completion']),
  choices: z.array(z.looseObject({ index: z.number().int() })).min(1),
})

const paths = fc.constantFrom('/v1/chat/completions', '/v1/completions')
const oddStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\ud800', '\udfff', 'a\u0000b', '\u202egnp.exe', '\ufeff', 'e\u0301\u0301\u0301', '🧪'.repeat(50), ''),
)
const oddNumbers = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 5e-324, 0.5, 128, 129, -1),
)
/** Any JSON-ish value, with the odd strings and numbers mixed in. */
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), oddStrings, oddNumbers, fc.constant(null))

const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer'), oddStrings, anyValue),
    content: fc.oneof(oddStrings, anyValue, fc.array(fc.record({ type: fc.constantFrom('text', 'image_url'), text: oddStrings }), { maxLength: 3 })),
    name: anyValue,
  },
  { requiredKeys: [] },
)
const fields = {
  model: fc.oneof(fc.constant('simulated-model'), oddStrings, anyValue),
  messages: fc.oneof(fc.array(message, { maxLength: 3 }), anyValue),
  prompt: fc.oneof(oddStrings, fc.array(oddStrings, { maxLength: 2 }), anyValue),
  n: fc.oneof(fc.integer({ min: -2, max: 10 }), oddNumbers, anyValue),
  temperature: fc.oneof(fc.double({ min: -1, max: 3, noNaN: true }), anyValue),
  top_p: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), anyValue),
  max_tokens: fc.oneof(fc.integer({ min: -1, max: 64 }), oddNumbers, anyValue),
  max_completion_tokens: fc.oneof(fc.integer({ min: -1, max: 64 }), anyValue),
  seed: fc.oneof(fc.integer(), oddNumbers, anyValue),
  stream: fc.oneof(fc.boolean(), anyValue),
  stream_options: fc.oneof(fc.record({ include_usage: fc.oneof(fc.boolean(), anyValue) }), anyValue),
  logprobs: fc.oneof(fc.boolean(), fc.integer({ min: -1, max: 6 }), anyValue),
  top_logprobs: fc.oneof(fc.integer({ min: -1, max: 21 }), anyValue),
  presence_penalty: fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), anyValue),
  stop: anyValue,
  user: anyValue,
  best_of: anyValue,
  bonbon: fc.oneof(fc.record({ n: fc.oneof(fc.integer({ min: -1, max: 10 }), anyValue), return_candidates: fc.oneof(fc.boolean(), anyValue) }, { requiredKeys: [] }), anyValue),
  tools: anyValue,
  response_format: anyValue,
}

/** A valid chat request with some fields replaced by values of any type, and unknown fields added. */
const mutatedRequest = fc
  .tuple(
    paths,
    fc.record(fields, { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 3 }),
  )
  .map(([path, mutations, unknown]): FuzzRequest => {
    const base =
      path === '/v1/chat/completions'
        ? { model: 'simulated-model', messages: [{ role: 'user', content: 'Name a colour.' }] }
        : { model: 'simulated-model', prompt: 'Name a colour.' }
    return { path, body: JSON.stringify({ ...base, ...unknown, ...mutations }), headers: {} }
  })

/** Any JSON text at all. */
const randomJson = fc.tuple(paths, fc.json({ maxDepth: 4 })).map(([path, body]): FuzzRequest => ({ path, body, headers: {} }))

/** Bytes that are mostly not JSON, and not UTF-8. */
const randomBytes = fc
  .tuple(paths, fc.uint8Array({ maxLength: 300 }))
  .map(([path, bytes]): FuzzRequest => ({ path, body: new Uint8Array(bytes), headers: {} }))

/** Number literals JSON.parse reads as Infinity, or as imprecise integers, spliced into a valid body. */
const hugeNumbers = fc
  .tuple(
    fc.constantFrom('n', 'temperature', 'max_tokens', 'seed', 'top_p', 'extra'),
    fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0', '9007199254740993'),
  )
  .map(([field, literal]): FuzzRequest => ({
    path: '/v1/chat/completions',
    body: `{"model":"simulated-model","messages":[{"role":"user","content":"hi"}],"${field}":${literal}}`,
    headers: {},
  }))

/** A valid body whose unknown field nests deep, or whose text holds raw bytes that are not UTF-8. */
const structuralOddities = fc.oneof(
  fc.integer({ min: 1, max: 20_000 }).map(
    (depth): FuzzRequest => ({
      path: '/v1/chat/completions',
      body: `{"model":"simulated-model","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      headers: {},
    }),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes): FuzzRequest => {
    const encoder = new TextEncoder()
    const before = encoder.encode('{"model":"simulated-model","messages":[{"role":"user","content":"')
    const after = encoder.encode('"}]}')
    return { path: '/v1/chat/completions', body: new Uint8Array([...before, ...bytes, ...after]), headers: {} }
  }),
)

/** Valid or mutated bodies with odd bonbon headers. */
const oddHeaders = fc
  .tuple(mutatedRequest, fc.option(fc.string({ maxLength: 12 }), { nil: undefined }), fc.option(fc.string({ maxLength: 6 }), { nil: undefined }))
  .map(([request, n, log]): FuzzRequest => ({
    ...request,
    headers: {
      // fetch refuses header values with control characters; a real client cannot send them either.
      ...(n === undefined ? {} : { 'x-bonbon-n': n.replace(/[^\x20-\x7e]/g, '') }),
      ...(log === undefined ? {} : { 'x-bonbon-log': log.replace(/[^\x20-\x7e]/g, '') }),
    },
  }))

const fuzzRequest = fc.oneof(
  { arbitrary: mutatedRequest, weight: 6 },
  { arbitrary: randomJson, weight: 2 },
  { arbitrary: randomBytes, weight: 1 },
  { arbitrary: hugeNumbers, weight: 1 },
  { arbitrary: structuralOddities, weight: 1 },
  { arbitrary: oddHeaders, weight: 2 },
)

describe('the gateway under malformed requests', () => {
  let gateway: GuardedGateway
  beforeAll(async () => {
    gateway = await startGuardedGateway({
      config: ({ storePath }) => ({
        bestOfN: { n: 2, maxN: 8, heartbeatMs: 5_000 },
        log: { kind: 'sqlite', path: storePath, batchSize: 64, flushIntervalMs: 10, redact: true },
      }),
    })
  })
  afterAll(() => gateway.close())

  it('answers every request with an OpenAI error or a completion, never a 5xx', { timeout: 120_000 }, async () => {
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const response = await fetch(`${gateway.url}${request.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...request.headers },
          body: request.body,
        })
        const text = await response.text()
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
        expect(response.status, text).toBeLessThan(500)
        if (response.status === 200) {
          if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
            expect(text.trimEnd().endsWith('data: [DONE]'), text).toBe(true)
          } else {
            expect(completionSchema.safeParse(JSON.parse(text)).success, text).toBe(true)
          }
        } else {
          expect(response.headers.get('content-type')).toMatch(/^application\/json/)
          expect(errorBodySchema.safeParse(JSON.parse(text)).error, text).toBeUndefined()
        }
      }),
      { numRuns: 2_000 },
    )
    // The fuzzer reached both sides: some requests were valid and answered, most were refused.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20)
    expect(statuses.get(400) ?? 0).toBeGreaterThan(500)
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200)
  })
})
