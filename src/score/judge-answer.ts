import { z } from 'zod'
import { parseJsonTolerant } from './post-reward-request.js'

/** Which of two answers a pairwise judge preferred. */
export type JudgePreference = 'A' | 'B' | 'tie'

const numberLike = z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)])
const scoreAnswerSchema = z.looseObject({ score: numberLike.pipe(z.number().min(1).max(10)) })
const preferenceAnswerSchema = z.looseObject({
  winner: z
    .string()
    .trim()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['a', 'b', 'tie']))
    .transform((value): JudgePreference => (value === 'tie' ? 'tie' : value === 'a' ? 'A' : 'B')),
})

/**
 * The grade in a pointwise judge's answer: `{"score": 7}` as asked, else the first JSON object in the
 * text, else a `score: 7` written loosely, else a bare number. Grades outside 1–10 are not grades.
 * @returns The grade, or undefined when the answer holds none.
 */
export function parseJudgeScore(text: string): number | undefined {
  for (const candidate of jsonCandidates(text)) {
    const parsed = scoreAnswerSchema.safeParse(candidate)
    if (parsed.success) return parsed.data.score
  }
  const loose = /"?score"?\s*[:=]\s*"?(\d+(?:\.\d+)?)/i.exec(text)?.[1] ?? /^\s*(\d+(?:\.\d+)?)\s*$/.exec(text)?.[1]
  const parsed = scoreAnswerSchema.safeParse({ score: loose })
  return parsed.success ? parsed.data.score : undefined
}

/**
 * The preference in a pairwise judge's answer: `{"winner": "A"}` as asked, else the first JSON object
 * in the text, else `winner: B` written loosely, else a bare `A`, `B` or `tie`.
 * @returns The preference, or undefined when the answer holds none.
 */
export function parseJudgePreference(text: string): JudgePreference | undefined {
  for (const candidate of jsonCandidates(text)) {
    const parsed = preferenceAnswerSchema.safeParse(candidate)
    if (parsed.success) return parsed.data.winner
  }
  const loose = /"?winner"?\s*[:=]\s*"?(A|B|tie)\b/i.exec(text)?.[1] ?? /^\s*"?(A|B|tie)"?\s*$/i.exec(text)?.[1]
  const parsed = preferenceAnswerSchema.safeParse({ winner: loose })
  return parsed.success ? parsed.data.winner : undefined
}

/** The whole text as JSON, then the first `{...}` span in it (models wrap JSON in prose or code fences). */
function jsonCandidates(text: string): unknown[] {
  const values: unknown[] = []
  const whole = parseJsonTolerant(text)
  if (whole !== undefined) values.push(whole.value)
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start !== -1 && end > start) {
    const inner = parseJsonTolerant(text.slice(start, end + 1))
    if (inner !== undefined) values.push(inner.value)
  }
  return values
}
