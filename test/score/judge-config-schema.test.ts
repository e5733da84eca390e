import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { judgePairwiseRewardSchema, judgeRewardSchema } from '../../src/score/judge-config-schema.js'
import { createJudgePairwiseRewardModel } from '../../src/score/judge-pairwise-reward-model.js'
import { createJudgeRewardModel } from '../../src/score/judge-reward-model.js'
import { startSimulatedJudgeServer } from '../../src/testing/simulated-judge-server.node.js'

const exampleSchema = z.looseObject({ reward: z.unknown() })

describe('judge reward configuration', () => {
  it('accepts the shipped judge gateway example', async () => {
    const example = exampleSchema.parse(JSON.parse(await readFile(new URL('../../examples/judge-gateway.json', import.meta.url), 'utf8')))
    expect(judgeRewardSchema.parse(example.reward)).toMatchObject({ kind: 'judge', model: 'gpt-4o-mini', logprobs: true })
  })

  it('maps one to one onto the judge factories', async () => {
    const judge = await startSimulatedJudgeServer({ grade: (answer) => (answer.includes('Paris') ? 9 : 2) })
    try {
      const { kind: _pointwise, ...pointwise } = judgeRewardSchema.parse({ kind: 'judge', baseURL: judge.url, model: 'j' })
      const { kind: _pairwise, ...pairwise } = judgePairwiseRewardSchema.parse({ kind: 'judge-pairwise', baseURL: judge.url, model: 'j', rubric: 'Right.' })
      const prompt = [{ role: 'user' as const, content: 'Capital of France?' }]
      expect(await createJudgeRewardModel(pointwise).score({ prompt, candidates: ['Paris.'] })).toEqual([{ reward: 9 }])
      expect(await createJudgePairwiseRewardModel(pairwise).score({ prompt, candidates: ['Lyon.', 'Paris.'] })).toEqual([
        { reward: 1 },
        { reward: 2.25 },
      ])
    } finally {
      await judge.close()
    }
  })

  it('rejects unknown keys, bad URLs and empty rubrics', () => {
    const base = { kind: 'judge', baseURL: 'http://127.0.0.1:8000/v1', model: 'j' }
    expect(judgeRewardSchema.safeParse({ ...base, top_logprobs: 5 }).success).toBe(false)
    expect(judgeRewardSchema.safeParse({ ...base, baseURL: 'file:///judge' }).success).toBe(false)
    expect(judgePairwiseRewardSchema.safeParse({ ...base, kind: 'judge-pairwise', rubric: '  ' }).success).toBe(false)
  })
})
