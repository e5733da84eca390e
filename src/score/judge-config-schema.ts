import { z } from 'zod'

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })

/** Fields of both judge kinds: the OpenAI-compatible endpoint that judges, and what it judges by. */
const judgeFields = {
  /** Base URL of the judge's OpenAI-compatible server, `/v1` included. */
  baseURL: url,
  /** The judge model's name as the server knows it. */
  model: z.string().min(1),
  /** Bearer key for the judge. Env `BONBON_REWARD_API_KEY` overrides it. */
  apiKey: z.string().optional(),
  /** Extra headers sent to the judge. */
  headers: z.record(z.string(), z.string()).optional(),
  /** What a good answer is, in plain words; bonbon's default rubric when absent. */
  rubric: z.string().trim().min(1).optional(),
  /** The judge's sampling temperature; 0 when absent. */
  temperature: z.number().min(0).optional(),
  /** Largest judge answer in tokens; the server's default when absent. */
  maxTokens: z.number().int().min(1).optional(),
}

/**
 * `reward.kind: "judge"`: an LLM grades each candidate 1–10 against a rubric; with `logprobs`, the
 * reward is the expected grade under the judge's log-probabilities. Maps 1:1 onto
 * `createJudgeRewardModel` (without `kind`).
 */
export const judgeRewardSchema = z.strictObject({
  kind: z.literal('judge'),
  ...judgeFields,
  /** Score by the judge's log-probabilities (`logprobs: true, top_logprobs: 20`). */
  logprobs: z.boolean().default(false),
})

/**
 * `reward.kind: "judge-pairwise"`: an LLM runs a knockout tournament over the candidates, each match
 * judged in both orders. Maps 1:1 onto `createJudgePairwiseRewardModel` (without `kind`).
 */
export const judgePairwiseRewardSchema = z.strictObject({ kind: z.literal('judge-pairwise'), ...judgeFields })

export type JudgeRewardConfig = z.output<typeof judgeRewardSchema>
export type JudgePairwiseRewardConfig = z.output<typeof judgePairwiseRewardSchema>
