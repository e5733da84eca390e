/**
 * `npm run example:ai-sdk`: best-of-n inside an AI SDK app. One `wrapLanguageModel` call puts
 * bonbon's middleware around a model; `generateText` and `streamText` then answer with the best of
 * n candidates by a reward model, the rewards ride along in `providerMetadata.bonbon`, and every
 * scored set goes to a log sink, as the gateway's do.
 *
 * Self-contained: the model is `@ai-sdk/openai-compatible` over bonbon's simulated inference server,
 * and the reward model is bonbon's `http` scorer over its simulated reward server (longer answers
 * usually score higher), both on loopback. Point `baseURL` and `url` at real servers to use real ones.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { generateText, streamText, wrapLanguageModel } from 'ai'
import { bestOfNMiddleware, readBestOfNMetadata, type BestOfNProviderMetadata } from '../src/ai-sdk/index.js'
import type { LogSink, PreferenceRecord } from '../src/log/preference-record.js'
import { createRewardModel } from '../src/score/create-reward-model.js'
import { startSimulatedBackend } from '../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer } from '../src/testing/simulated-reward-server.node.js'

// What the simulated model says, by seed: candidate i is drawn with seed + i, so each is a different draft.
const drafts = [
  'Because it reflects the ocean.',
  'Sunlight scatters off air molecules, and blue light scatters the most.',
  'Rayleigh scattering: air molecules scatter short blue wavelengths far more than long red ones, ' +
    'so blue light reaches your eyes from all over the sky.',
  'It just is.',
]

const backend = await startSimulatedBackend({ answer: ({ seed }) => drafts[(seed ?? 0) % drafts.length] ?? '' })
const rewardServer = await startSimulatedRewardServer({ shape: 'http' })

// The scored sets, as a log sink receives them: here simply kept in memory.
const records: PreferenceRecord[] = []
const log: LogSink = {
  write: async (record) => void records.push(record),
  flush: async () => undefined,
  close: async () => undefined,
}

try {
  const provider = createOpenAICompatible({ name: 'simulated', baseURL: backend.url, includeUsage: true })
  const model = wrapLanguageModel({
    model: provider.chatModel('simulated-model'),
    middleware: bestOfNMiddleware({
      n: 4,
      rewardModel: createRewardModel({ kind: 'http', url: rewardServer.scoreURL }),
      log,
    }),
  })
  const prompt = 'Why is the sky blue?'

  const generated = await generateText({ model, prompt, seed: 0 })
  report('generateText', generated.text, readBestOfNMetadata(generated.providerMetadata), generated.usage.outputTokens)

  const streamed = streamText({ model, prompt, seed: 0 })
  let text = ''
  for await (const delta of streamed.textStream) text += delta
  report('streamText', text, readBestOfNMetadata(await streamed.providerMetadata), (await streamed.usage).outputTokens)

  console.log(`\nlog sink received ${records.length} scored sets; the last one:`)
  for (const candidate of records.at(-1)?.candidates ?? []) {
    const reward = candidate.reward?.toFixed(3) ?? 'none'
    console.log(`  #${candidate.index}  reward ${reward}  ${JSON.stringify(candidate.text)}`)
  }
} finally {
  await backend.close()
  await rewardServer.close()
}

function report(
  call: string,
  answer: string,
  bonbon: BestOfNProviderMetadata | undefined,
  outputTokens: number | undefined,
): void {
  console.log(`\n${call} (best of ${bonbon?.n ?? '?'}): candidate #${bonbon?.chosenIndex ?? '?'}`)
  console.log(`  answer:  ${answer}`)
  const rewards = bonbon?.rewards.map((reward, index) => `#${index} ${reward?.toFixed(3) ?? 'failed'}`)
  console.log(`  rewards: ${rewards?.join(', ')}`)
  console.log(`  output tokens over all ${bonbon?.n ?? '?'} candidates: ${outputTokens ?? 'unknown'}`)
}
