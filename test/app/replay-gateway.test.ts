import OpenAI from 'openai'
import { readFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/create-app.node.js'
import { loadConfigFile } from '../../src/config/load-config.node.js'
import { parseCandidatePool } from '../../src/generate/candidate-pool.js'
import { serve, type RunningServer } from '../../src/server/serve.node.js'

const configPath = new URL('../../examples/replay-gateway.json', import.meta.url).pathname
const poolPath = new URL('../../examples/data/alpaca-sample.jsonl', import.meta.url).pathname

describe('the embedded default: replay over the shipped sample', () => {
  let server: RunningServer
  let client: OpenAI
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bonbon-replay-'))
    const config = await loadConfigFile(configPath)
    server = await serve(await createApp({ ...config, log: { kind: 'sqlite', path: join(dir, 'bonbon.db') } }, { env: {} }), {
      port: 0,
    })
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  })
  afterAll(async () => {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('ships the first 40 instructions of the pool, 22 answers each', async () => {
    const pool = parseCandidatePool(await readFile(poolPath, 'utf8'))
    expect(pool.items).toHaveLength(40)
    const ids = pool.items.map((item) => item.id ?? -1)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(pool.items.every((item) => item.candidates.length === 22)).toBe(true)
  })

  it('answers a pool instruction with the drawn answer the judge liked best', async () => {
    const pool = parseCandidatePool(await readFile(poolPath, 'utf8'))
    const item = pool.items[3]
    if (!item) throw new Error('sample too small')
    const { data, response } = await client.chat.completions
      .create(
        { model: 'replay', messages: [{ role: 'user', content: item.instruction }], seed: 11 },
        { headers: { 'x-bonbon-n': '8' } },
      )
      .withResponse()
    const answer = data.choices[0]?.message.content
    const recorded = item.candidates.find((candidate) => candidate.output === answer)
    expect(recorded).toBeDefined()
    expect(Number(response.headers.get('x-bonbon-chosen-reward'))).toBe(recorded?.judge_preference)
    // The same seed draws the same eight answers, so the choice is reproducible.
    const again = await client.chat.completions.create(
      { model: 'replay', messages: [{ role: 'user', content: item.instruction }], seed: 11 },
      { headers: { 'x-bonbon-n': '8' } },
    )
    expect(again.choices[0]?.message.content).toBe(answer)
  })

  it('answers an instruction that is not in the pool with a 400 saying so', async () => {
    const error = await client.chat.completions
      .create({ model: 'replay', messages: [{ role: 'user', content: 'Not in the sample at all.' }] })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/not in the replay pool/)
  })
})
