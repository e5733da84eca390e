import { InvalidOptionsError } from '../errors.js'
import { parseJudgeScore } from './judge-answer.js'
import type { JudgeCompletionResult } from './judge-completion.js'
import { judgeLogprobScore } from './judge-logprob-score.js'
import { judgeScoreFormat, pointwiseJudgeMessages } from './judge-prompt.js'
import { askJudge, judgeFailure, resolveJudge, type JudgeSharedOptions, type JudgeSource } from './judge-source.js'
import type { RewardModel, Score } from './reward-model.js'

/** Options of {@link createJudgeRewardModel}. */
export type JudgeRewardModelOptions = JudgeSharedOptions &
  JudgeSource & {
    /**
     * Score by the judge's log-probabilities (`logprobs: true, top_logprobs: 20`): the expected grade
     * over the grade tokens, a continuous reward; without them, or when a grade cannot be read from
     * them, the written integer grade.
     * @default false
     */
    logprobs?: boolean
  }

/**
 * An LLM judge as a reward model: each candidate is graded 1–10 against a rubric, in its own call, as
 * structured JSON `{"score": N}` validated with zod. With `logprobs`, the reward is the expected grade
 * under the judge's distribution (see {@link judgeLogprobScore}). Candidates are fenced in blocks whose
 * code they cannot know, so an answer saying "ignore the rubric" is judged, not obeyed. An answer the
 * judge returns unreadable twice leaves that candidate unscored (an `error`), never 0.
 * @throws InvalidOptionsError for invalid options.
 * @example
 * ```ts
 * const rewardModel = createJudgeRewardModel({
 *   baseURL: 'https://api.openai.com/v1',
 *   model: 'gpt-4o-mini',
 *   apiKey,
 *   logprobs: true,
 * })
 * ```
 */
export function createJudgeRewardModel(options: JudgeRewardModelOptions): RewardModel {
  const { judge, rubric, generateNonce } = resolveJudge(options)
  const logprobs = options.logprobs ?? false
  if (typeof logprobs !== 'boolean') {
    throw new InvalidOptionsError(`logprobs must be a boolean; got ${JSON.stringify(logprobs)}.`, { key: 'logprobs' })
  }
  const parse = (result: JudgeCompletionResult): number | undefined => {
    const grade = parseJudgeScore(result.text)
    if (grade === undefined) return undefined
    return logprobs ? (judgeLogprobScore(result.logprobs) ?? grade) : grade
  }
  return {
    name: `judge:${judge.name}`,
    async score(request) {
      const outcomes = await Promise.all(
        request.candidates.map((answer) =>
          askJudge({
            judge,
            messages: () => pointwiseJudgeMessages({ prompt: request.prompt, answer, rubric, nonce: generateNonce() }),
            options: { responseFormat: judgeScoreFormat, logprobs, signal: request.signal },
            parse,
          }),
        ),
      )
      if (outcomes.length > 0 && outcomes.every((outcome) => 'error' in outcome)) {
        throw judgeFailure(outcomes, `score none of the ${outcomes.length} candidates`)
      }
      return outcomes.map((outcome): Score =>
        'value' in outcome ? { reward: outcome.value } : { error: outcome.error },
      )
    },
  }
}
