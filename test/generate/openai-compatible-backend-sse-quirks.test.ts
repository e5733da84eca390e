import { describe, expect, it } from 'vitest'
import { createOpenAICompatibleBackend } from '../../src/generate/openai-compatible-backend.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import type { SimulatedSseQuirks } from '../../src/testing/simulated-stream.js'
import { tokenize } from '../../src/testing/simulated-completion.js'
import { chatRequest, closeBackendsAfterEach, noRetry, prompt, seededAnswer, startUpstream } from './simulated-upstream-fixture.js'

closeBackendsAfterEach()

const quirks: [string, SimulatedSseQuirks][] = [
  ['no space after data:', { noSpaceAfterData: true }],
  ['LF line ends', { lineEnding: 'lf' }],
  ['CR line ends', { lineEnding: 'cr' }],
  ['CRLF line ends', { lineEnding: 'crlf' }],
  ['heartbeat comment lines', { heartbeat: true }],
  ['writes of 7 bytes', { writeSize: 7 }],
  ['writes of 1 byte with CRLF', { writeSize: 1, lineEnding: 'crlf' }],
  ['multi-byte characters split across writes', { splitCharacters: true }],
  ['several events per write', { eventsPerWrite: 5 }],
  ['a leading choices: [] chunk', { emptyChoicesChunk: true }],
  ['keep-alive events with empty or blank data', { emptyDataEvents: true }],
  [
    'every quirk at once',
    {
      noSpaceAfterData: true,
      lineEnding: 'cr',
      heartbeat: true,
      writeSize: 3,
      splitCharacters: true,
      eventsPerWrite: 4,
      emptyChoicesChunk: true,
      emptyDataEvents: true,
    },
  ],
]

describe('createOpenAICompatibleBackend reading SSE quirks', () => {
  for (const [name, sse] of quirks) {
    for (const fanout of ['native', 'parallel', 'auto'] as const) {
      it(`rebuilds exact candidates in ${fanout} mode from ${name}`, async () => {
        const upstream = await startUpstream({ sse })
        const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout, stream: true })
        const result = await backend.generate({ request: chatRequest({ seed: 100, logprobs: true }), n: 3 })
        expect(result.fanout).toBe(fanout === 'parallel' ? 'parallel' : 'native')
        expect(result.candidates.map((candidate) => candidate.error)).toEqual([undefined, undefined, undefined])
        expect(result.candidates.map((candidate) => candidate.text)).toEqual([100, 101, 102].map(seededAnswer))
        expect(result.candidates.map((candidate) => candidate.completionTokens)).toEqual(
          [100, 101, 102].map((seed) => tokenize(seededAnswer(seed)).length),
        )
        expect(result.usage?.completion_tokens).toBe(
          [100, 101, 102].reduce((total, seed) => total + tokenize(seededAnswer(seed)).length, 0),
        )
        expect(result.envelope['object']).toBe('chat.completion')
      })
    }

    it(`rebuilds legacy completions from ${name}`, async () => {
      const upstream = await startUpstream({ sse })
      const backend = createOpenAICompatibleBackend({ retry: noRetry, baseURL: upstream.url, fanout: 'native', stream: true })
      const request = parseRequest({ model: 'sim', prompt, seed: 9 }, { endpoint: 'completions' })
      const result = await backend.generate({ request, n: 2 })
      expect(result.candidates.map((candidate) => candidate.text)).toEqual([9, 10].map(seededAnswer))
      expect(result.candidates[1]?.rawChoice).toMatchObject({ index: 1, text: seededAnswer(10), finish_reason: 'stop' })
    })
  }
})
