/**
 * A small world for end-to-end RATE audit tests: answers whose length is confounded with a quality
 * the prompt states, a reward that pays a known amount for length, and a deterministic "LLM" that
 * rewrites (leaving an artifact, "» ", in every rewrite) and classifies the way the audit asks.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'
import type { SimulatedAnswerInput } from '../../src/testing/simulated-completion.js'
import { startSimulatedRewardServer, type SimulatedRewardServer } from '../../src/testing/simulated-reward-server.node.js'

/** The length threshold of the world, in characters. */
export const worldThreshold = 150
/** What the reward model pays for an answer longer than the threshold. */
export const lengthEffect = 1
/** What it pays for the rewriter's artifact. */
export const artifactEffect = 0.6
/** What it pays for an answer that ends with "!" (the custom attribute). */
export const exclaimEffect = 0.8

const artifact = '» '
const filler =
  ' Moreover, this point holds in practice as well as in theory, and the details above make it concrete for anyone who tries it.'
const words = ['the', 'answer', 'explains', 'a', 'careful', 'idea', 'with', 'clear', 'steps', 'and', 'some', 'context']

/** One source line: the prompt states the item's quality, which both sets W and pays reward. */
export interface WorldLine {
  readonly prompt: string
  readonly response: string
}

/** `count` items; high-quality ones tend to be long and to end with "!". */
export function worldLines(count: number): WorldLine[] {
  return Array.from({ length: count }, (_, index) => {
    const quality = ((index * 37) % 101) / 50 - 1 // in [-1, 1], spread evenly
    const long = index % 7 === 3 ? quality <= 0 : quality > 0
    const target = long ? 200 + ((index * 13) % 80) : 40 + ((index * 11) % 60)
    let text = ''
    for (let word = index; text.length < target; word++) text += `${text === '' ? '' : ' '}${words[word % words.length]}`
    // Better answers also tend to end with "!", the custom attribute, confounded the same way.
    const exclaims = quality > 0.2 ? index % 4 !== 0 : index % 4 === 0
    return { prompt: `Question ${index} (quality ${quality.toFixed(3)})`, response: `${text}${exclaims ? '!' : '.'}` }
  })
}

/** The reward: quality + length effect + artifact + exclamation + a small deterministic jitter. */
export function worldScore(prompt: string, answer: string): number {
  const quality = Number(/quality (-?[\d.]+)/.exec(prompt)?.[1] ?? 0)
  let hash = 0x811c9dc5
  for (const char of `${prompt}|${answer}`) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193)
  const jitter = ((hash >>> 0) / 4_294_967_296 - 0.5) * 0.4
  return (
    quality +
    (answer.length > worldThreshold ? lengthEffect : 0) +
    (answer.startsWith(artifact) ? artifactEffect : 0) +
    (answer.trimEnd().endsWith('!') ? exclaimEffect : 0) +
    jitter
  )
}

/** The simulated rewriter and classifier: reads the audit's instruction and the `<answer>` section. */
export function worldLlm(input: SimulatedAnswerInput): string {
  const text = /<answer>\n([\s\S]*)\n<\/answer>/.exec(input.prompt)?.[1]
  if (text === undefined) return 'I cannot find the answer.'
  const plain = text.startsWith(artifact) ? text.slice(artifact.length) : text
  if (input.prompt.startsWith('Classify')) return `\`\`\`json\n{"w": ${plain.trimEnd().endsWith('!') ? 1 : 0}}\n\`\`\``
  if (input.prompt.includes('substantially shorter')) {
    const half = plain.slice(0, Math.floor(plain.length / 2))
    return `${artifact}${half.slice(0, Math.max(1, half.lastIndexOf(' ')))}.`
  }
  if (input.prompt.includes('substantially longer')) return `${artifact}${plain}${filler}`
  if (input.prompt.includes('Target: ends with an exclamation mark')) return `${artifact}${plain.replace(/[.!]?\s*$/, '!')}`
  if (input.prompt.includes('Target: ends with a period')) return `${artifact}${plain.replace(/[.!]?\s*$/, '.')}`
  return 'Unexpected instruction.'
}

/** The custom attribute of the world, as `audit.attributes` holds it. */
export const exclaimAttribute = {
  name: 'exclaim',
  description: 'whether the answer ends with an exclamation mark',
  positive: 'ends with an exclamation mark',
  negative: 'ends with a period',
} as const

/** A running world: the simulated LLM, the reward server, a config file and a source file. */
export interface AuditWorld {
  readonly backend: SimulatedBackend
  readonly reward: SimulatedRewardServer
  /** The gateway configuration (audit.rewriter = the backend, reward = the server, log = `audit.db`). */
  readonly configPath: string
  /** The source, one `{"prompt", "response"}` per line. */
  readonly sourcePath: string
  /** The store (and cache) file. */
  readonly storePath: string
  close(): Promise<void>
}

/** Starts the servers and writes the files of a world into `dir`. */
export async function startAuditWorld(dir: string, lines: readonly WorldLine[], options: SimulatedBackendOptions = {}): Promise<AuditWorld> {
  const backend = await startSimulatedBackend({ answer: worldLlm, ...options })
  const reward = await startSimulatedRewardServer({ shape: 'http', score: worldScore })
  const configPath = join(dir, 'bonbon.json')
  const sourcePath = join(dir, 'answers.jsonl')
  writeFileSync(
    configPath,
    JSON.stringify({
      upstream: { kind: 'openai', baseURL: backend.url },
      reward: { kind: 'http', url: reward.scoreURL },
      log: { kind: 'sqlite', path: 'audit.db' },
      audit: { rewriter: { baseURL: backend.url, model: 'simulated-model' }, attributes: [exclaimAttribute], concurrency: 3 },
    }),
  )
  writeFileSync(sourcePath, lines.map((line) => `${JSON.stringify(line)}\n`).join(''))
  return {
    backend,
    reward,
    configPath,
    sourcePath,
    storePath: join(dir, 'audit.db'),
    close: async () => {
      await Promise.all([backend.close(), reward.close()])
    },
  }
}

/** A writable stream that keeps what is written, and says it is not a terminal. */
export function captureStream(): Writable & { readonly text: () => string; readonly isTTY: false } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
      callback()
    },
  })
  return Object.assign(stream, { text: () => chunks.join(''), isTTY: false as const })
}
