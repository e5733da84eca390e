import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import { loadCandidatePool } from '../../src/generate/candidate-pool.js'
import { createRewardModel } from '../../src/score/create-reward-model.js'
import { createRewardModel as createRewardModelNode } from '../../src/score/create-reward-model.node.js'
import {
  startSimulatedRewardServer,
  type SimulatedRewardServer,
  type SimulatedRewardShape,
} from '../../src/testing/simulated-reward-server.node.js'
import { writeTinyPool } from '../generate/replay-pool-fixture.js'
import { llama3Bos, llama3ChatTemplate } from './llama3-chat-template.js'

const prompt = [{ role: 'user' as const, content: 'Say hi.' }]
const length = (_prompt: string, answer: string) => answer.length

const servers: SimulatedRewardServer[] = []
async function start(shape: SimulatedRewardShape): Promise<SimulatedRewardServer> {
  const server = await startSimulatedRewardServer({ shape, score: length, apiKey: 'sk-rm' })
  servers.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('createRewardModel', () => {
  it('builds a vllm-pooling reward model that renders the configured template', async () => {
    const server = await start('vllm-pooling')
    const model = createRewardModel({
      kind: 'vllm-pooling',
      baseURL: server.url,
      model: 'rm',
      apiKey: 'sk-rm',
      chatTemplate: llama3ChatTemplate,
      templateVariables: { bos_token: llama3Bos },
    })

    expect(await model.score({ prompt, candidates: ['Hi!', 'Hello.'] })).toEqual([{ reward: 3 }, { reward: 6 }])
    expect(server.requests).toHaveLength(1)
    expect(model.name).toBe('vllm-pooling:rm')
  })

  it('builds a vllm-classify reward model', async () => {
    const server = await start('vllm-classify')
    const model = createRewardModel({ kind: 'vllm-classify', baseURL: server.url, model: 'rm', apiKey: 'sk-rm' })

    expect(await model.score({ prompt, candidates: ['Hi!'] })).toEqual([{ reward: 3 }])
  })

  it('builds a tei reward model', async () => {
    const server = await start('tei')
    const model = createRewardModel({ kind: 'tei', baseURL: server.url, apiKey: 'sk-rm' })

    expect(await model.score({ prompt, candidates: ['Hi!'] })).toEqual([{ reward: 3 }])
  })

  it('builds an http reward model with the given fetch and headers', async () => {
    const server = await start('http')
    let calls = 0
    const model = createRewardModel(
      { kind: 'http', url: server.scoreURL, apiKey: 'sk-rm', headers: { 'x-tenant': 'a' } },
      { fetch: (input, init) => ((calls += 1), fetch(input, init)) },
    )

    expect(await model.score({ prompt, candidates: ['Hi!'] })).toEqual([{ reward: 3 }])
    expect(calls).toBe(1)
    expect(server.requests[0]?.headers['x-tenant']).toBe('a')
  })

  it('refuses a replay reward model without a file reader', () => {
    expect(() => createRewardModel({ kind: 'replay', file: 'pool.jsonl' })).toThrow(InvalidOptionsError)
    expect(() => createRewardModel({ kind: 'replay', file: 'pool.jsonl' })).toThrow(/replay .*needs a file reader/)
  })

  it('builds a replay reward model that shares the pool a replay backend loads', async () => {
    const path = await writeTinyPool()
    let reads = 0
    const readTextFile = (file: string) => ((reads += 1), readFile(file, 'utf8'))
    const model = createRewardModel({ kind: 'replay', file: path }, { readTextFile })
    await loadCandidatePool(path, readTextFile)

    expect(await model.score({ prompt, candidates: ['Hi!'] })).toEqual([{ reward: 0.6 }])
    expect(reads).toBe(1)
  })
})

describe('createRewardModel (Node)', () => {
  it('reads a replay pool from disk by default', async () => {
    const path = await writeTinyPool()
    const model = createRewardModelNode({ kind: 'replay', file: path })

    expect(await model.score({ prompt, candidates: ['Hello there.'] })).toEqual([{ reward: 0.3 }])
  })
})
