import { InvalidOptionsError, RewardModelError, describeError } from '../errors.js'
import { createJudgeChatCompletion, type JudgeChatCompletionOptions } from './judge-chat-completion.js'
import type { JudgeCompletion, JudgeCompletionOptions, JudgeCompletionResult } from './judge-completion.js'
import { createJudgeNonce, defaultJudgeRubric, type JudgeMessage } from './judge-prompt.js'

/**
 * Where an LLM judge runs: an OpenAI-compatible endpoint (`baseURL`, `model`, ...), or any
 * {@link JudgeCompletion}, such as an AI SDK model wrapped by `createAiSdkJudgeCompletion`.
 */
export type JudgeSource =
  | (JudgeChatCompletionOptions & { judge?: undefined })
  | {
      /** The chat model that judges. */
      judge: JudgeCompletion
      baseURL?: undefined
      model?: undefined
    }

/** Options every LLM-judge reward model takes. */
export interface JudgeSharedOptions {
  /**
   * What a good answer is, in plain words; the judge grades against it.
   * @default defaultJudgeRubric
   */
  rubric?: string
  /**
   * Makes the code that fences candidates in a judge prompt; fresh per call, and never guessable by
   * a candidate.
   * @default createJudgeNonce (128 random bits)
   */
  generateNonce?: () => string
}

/** Shared judge options, resolved. */
export interface ResolvedJudge {
  readonly judge: JudgeCompletion
  readonly rubric: string
  readonly generateNonce: () => string
}

/** Resolves the judge and the shared options once, at construction. */
export function resolveJudge(options: JudgeSharedOptions & JudgeSource): ResolvedJudge {
  const rubric = options.rubric ?? defaultJudgeRubric
  if (typeof rubric !== 'string' || rubric.trim() === '') {
    throw new InvalidOptionsError('rubric must be a non-empty string.', { key: 'rubric' })
  }
  if (options.judge !== undefined && options.baseURL !== undefined) {
    throw new InvalidOptionsError('Pass either judge or baseURL and model, not both.', { key: 'judge' })
  }
  const judge = options.judge ?? createJudgeChatCompletion(options)
  return { judge, rubric, generateNonce: options.generateNonce ?? createJudgeNonce }
}

/** What {@link askJudge} needs. */
export interface AskJudgeOptions<T> {
  readonly judge: JudgeCompletion
  /** Builds the messages of one attempt; called again for the retry, so each attempt has its own nonce. */
  readonly messages: () => JudgeMessage[]
  readonly options: JudgeCompletionOptions
  /** Reads the verdict out of an answer, or undefined when the answer holds none. */
  readonly parse: (result: JudgeCompletionResult) => T | undefined
}

/** A verdict, or why there is none (`thrown` keeps a failed call's error for the caller to rethrow). */
export type JudgeOutcome<T> = { readonly value: T } | { readonly error: string; readonly thrown?: unknown }

/**
 * Asks the judge once, and once more if the answer cannot be read: sampling noise or a preamble
 * before the JSON rarely repeats. A call that fails is not retried here (the transport's retry policy
 * belongs to the caller's fetch). An abort rejects with the signal's reason.
 */
export async function askJudge<T>(ask: AskJudgeOptions<T>): Promise<JudgeOutcome<T>> {
  let lastText = ''
  for (let attempt = 0; attempt < 2; attempt++) {
    let result: JudgeCompletionResult
    try {
      result = await ask.judge.complete(ask.messages(), ask.options)
    } catch (error) {
      if (ask.options.signal?.aborted) throw ask.options.signal.reason
      return { error: `judge call failed: ${describeError(error)}`, thrown: error }
    }
    const value = ask.parse(result)
    if (value !== undefined) return { value }
    lastText = result.text
  }
  return { error: `judge answer unreadable twice; last: ${JSON.stringify(lastText.slice(0, 120))}` }
}

/**
 * The error to throw when the judge could judge nothing: the first failed call's `RewardModelError`
 * as is (with its status and URL), else a `RewardModelError` quoting the first reason.
 */
export function judgeFailure(outcomes: readonly JudgeOutcome<unknown>[], what: string): RewardModelError {
  type Failure = Extract<JudgeOutcome<unknown>, { error: string }>
  const failures = outcomes.filter((outcome): outcome is Failure => 'error' in outcome)
  const thrown = failures.find((failure) => failure.thrown !== undefined)?.thrown
  if (RewardModelError.isInstance(thrown)) return thrown
  const first = failures[0]?.error ?? 'no verdict'
  return new RewardModelError(`The judge could ${what}: ${first}`, { cause: thrown, isRetryable: thrown !== undefined })
}
