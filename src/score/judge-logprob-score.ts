import type { JudgeTokenLogprob } from './judge-completion.js'

const scoreToken = /^(10|[1-9])$/

/**
 * The expected grade of a pointwise judge (G-Eval's probability-weighted score): at the token where
 * the judge wrote its grade, the mean of the grades 1–10 weighted by their probabilities, renormalised
 * over the grade tokens among the alternatives. It is continuous, so candidates the judge would all
 * give a 7 are still told apart, and reward ties become rare.
 *
 * Undefined, so that the caller falls back to the written grade, when there are no log-probabilities,
 * when the grade cannot be located in the tokens, when no alternative is a grade, or when the grade
 * spans several tokens: a tokenizer that splits "10" into "1" and "0" (Qwen, for one) gives the first
 * digit's probabilities, which mix 1 with 10.
 * @see https://arxiv.org/abs/2303.16634 (G-Eval)
 */
export function judgeLogprobScore(logprobs: readonly JudgeTokenLogprob[] | undefined): number | undefined {
  if (logprobs === undefined || logprobs.length === 0) return undefined
  const text = logprobs.map((token) => token.token).join('')
  const match = /"score"\s*:\s*"?(\d+)/.exec(text)
  const digits = match?.[1]
  if (match === null || digits === undefined) return undefined
  const offset = match.index + match[0].length - digits.length

  let position = 0
  const token = logprobs.find((candidate) => {
    const start = position
    position += candidate.token.length
    return offset >= start && offset < position
  })
  if (token === undefined || token.token.trim() !== digits) return undefined

  const alternatives = token.topLogprobs.some((alternative) => alternative.token === token.token)
    ? token.topLogprobs
    : [token, ...token.topLogprobs]
  // Several alternatives can spell the same grade ("7", " 7"): their probabilities add up.
  const probabilities = new Map<number, number>()
  for (const alternative of alternatives) {
    const grade = scoreToken.exec(alternative.token.trim())?.[1]
    if (grade === undefined || !Number.isFinite(alternative.logprob)) continue
    probabilities.set(Number(grade), (probabilities.get(Number(grade)) ?? 0) + Math.exp(alternative.logprob))
  }
  let mass = 0
  let weighted = 0
  for (const [grade, probability] of probabilities) {
    mass += probability
    weighted += grade * probability
  }
  return mass > 0 ? weighted / mass : undefined
}
