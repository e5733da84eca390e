import type { ChatMessage } from '../protocol/chat-message.js'
import { parseJudgePreference, type JudgePreference } from './judge-answer.js'
import { judgePreferenceFormat, pairwiseJudgeMessages } from './judge-prompt.js'
import {
  askJudge,
  judgeFailure,
  resolveJudge,
  type JudgeOutcome,
  type JudgeSharedOptions,
  type JudgeSource,
  type ResolvedJudge,
} from './judge-source.js'
import type { RewardModel, Score } from './reward-model.js'

/** Options of {@link createJudgePairwiseRewardModel}. */
export type JudgePairwiseRewardModelOptions = JudgeSharedOptions & JudgeSource

/** How far the share of verdicts moves a reward within its round: rewards of one round stay below the next. */
const marginWeight = 0.25

/**
 * An LLM judge comparing answers two at a time, as a reward model: a knockout tournament over the
 * candidates. Round 1 pairs neighbours (0 v 1, 2 v 3, ...), byes going to the last candidates so
 * that later rounds are full; winners meet winners until one is left.
 *
 * Every match is judged twice, A v B and B v A, because LLM judges favour one position; a candidate
 * must win on balance over both orders. A tie (the judge says so, or the two orders disagree, as a
 * pure position bias makes them) goes to the shorter answer, then to the lower index: judges lean
 * towards longer answers (the bias RATE audits first), so the tie is broken against it.
 *
 * Reward = the round a candidate reached (1 = lost in round 1; the champion gets rounds + 1), plus
 * 0.25 × its share of the verdicts in its last match (0–1, the tie-broken half counting 0.5): losers of
 * one round are ordered by how clearly they lost, and the worst of a preference pair is a clear loss.
 * A match the judge could not decide in either order is settled by the tie rule and its loser left
 * unscored (an `error`), never given a made-up reward. n − 1 matches, 2(n − 1) calls, ⌈log₂ n⌉ rounds.
 * @throws InvalidOptionsError for invalid options.
 * @example
 * ```ts
 * const rewardModel = createJudgePairwiseRewardModel({ baseURL: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen3-8B' })
 * ```
 */
export function createJudgePairwiseRewardModel(options: JudgePairwiseRewardModelOptions): RewardModel {
  const resolved = resolveJudge(options)
  return {
    name: `judge-pairwise:${resolved.judge.name}`,
    async score(request) {
      const { candidates } = request
      if (candidates.length <= 1) return candidates.map(() => ({ reward: 1 }))
      const { prompt, signal } = request
      const match = (first: number, second: number) =>
        playMatch({ resolved, prompt, candidates, first, second, signal })

      const outcomes: JudgeOutcome<JudgePreference>[] = []
      const results: (Score | undefined)[] = candidates.map(() => undefined)
      const rounds = Math.ceil(Math.log2(candidates.length))
      // Byes only in round 1: 2^rounds − n candidates skip it, and every later round is a power of two.
      const playing = 2 * (candidates.length - 2 ** (rounds - 1))
      let entrants = candidates.map((_, index) => index)
      for (let round = 1; entrants.length > 1; round++) {
        const contested = round === 1 ? entrants.slice(0, playing) : entrants
        const matches = await Promise.all(pairUp(contested).map(([first, second]) => match(first, second)))
        const winners: number[] = []
        for (const played of matches) {
          outcomes.push(...played.outcomes)
          results[played.loser] = played.decided
            ? { reward: round + marginWeight * played.loserShare }
            : { error: `judge could not compare it with candidate ${played.winner}: ${firstError(played.outcomes)}` }
          winners.push(played.winner)
          if (round === rounds) results[played.winner] = { reward: round + 1 + marginWeight * (1 - played.loserShare) }
        }
        entrants = round === 1 ? [...winners, ...entrants.slice(playing)] : winners
      }
      if (outcomes.every((outcome) => 'error' in outcome)) {
        throw judgeFailure(outcomes, `compare none of the ${candidates.length} candidates`)
      }
      return results.map((result) => result ?? { error: 'not ranked by the tournament' })
    },
  }
}

interface MatchInput {
  readonly resolved: ResolvedJudge
  readonly prompt: readonly ChatMessage[]
  readonly candidates: readonly string[]
  readonly first: number
  readonly second: number
  readonly signal: AbortSignal | undefined
}

interface MatchResult {
  readonly winner: number
  readonly loser: number
  /** The loser's share of the verdicts, 0 to 0.5. */
  readonly loserShare: number
  /** Whether at least one order gave a verdict. */
  readonly decided: boolean
  readonly outcomes: readonly JudgeOutcome<JudgePreference>[]
}

async function playMatch(input: MatchInput): Promise<MatchResult> {
  const { resolved, candidates, first, second } = input
  const ask = (a: number, b: number) =>
    askJudge({
      judge: resolved.judge,
      messages: () =>
        pairwiseJudgeMessages({
          prompt: input.prompt,
          answerA: candidates[a] ?? '',
          answerB: candidates[b] ?? '',
          rubric: resolved.rubric,
          nonce: resolved.generateNonce(),
        }),
      options: { responseFormat: judgePreferenceFormat, logprobs: false, signal: input.signal },
      parse: (result) => parseJudgePreference(result.text),
    })
  const outcomes = await Promise.all([ask(first, second), ask(second, first)])
  // The first candidate's points: shown as A in the first order and as B in the second.
  const points = outcomes.flatMap((outcome, order) => {
    if (!('value' in outcome)) return []
    if (outcome.value === 'tie') return [0.5]
    return [(outcome.value === 'A') === (order === 0) ? 1 : 0]
  })
  const firstShare = points.length === 0 ? 0.5 : points.reduce((sum, point) => sum + point, 0) / points.length
  const firstWins = firstShare > 0.5 || (firstShare === 0.5 && winsTie(candidates, first, second))
  return {
    winner: firstWins ? first : second,
    loser: firstWins ? second : first,
    loserShare: Math.min(firstShare, 1 - firstShare),
    decided: points.length > 0,
    outcomes,
  }
}

/** Neighbours paired: (0, 1), (2, 3), ... */
function pairUp(entrants: readonly number[]): [number, number][] {
  const pairs: [number, number][] = []
  for (let i = 0; i + 1 < entrants.length; i += 2) {
    const [first, second] = [entrants[i], entrants[i + 1]]
    if (first !== undefined && second !== undefined) pairs.push([first, second])
  }
  return pairs
}

/** The tie rule: the shorter answer (in code points), then the lower index. */
function winsTie(candidates: readonly string[], first: number, second: number): boolean {
  const firstLength = [...(candidates[first] ?? '')].length
  const secondLength = [...(candidates[second] ?? '')].length
  return firstLength !== secondLength ? firstLength < secondLength : first < second
}

function firstError(outcomes: readonly JudgeOutcome<unknown>[]): string {
  for (const outcome of outcomes) if ('error' in outcome) return outcome.error
  return 'no verdict'
}
