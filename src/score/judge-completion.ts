import type { JudgeMessage, JudgeResponseFormat } from './judge-prompt.js'

/** How one judge call is made. */
export interface JudgeCompletionOptions {
  /** The JSON schema the answer must follow; OpenAI-compatible servers get it as `response_format`. */
  readonly responseFormat: JudgeResponseFormat
  /** Whether to ask for the top log-probabilities of every output token. */
  readonly logprobs: boolean
  /** Aborts the call. */
  readonly signal?: AbortSignal | undefined
}

/** One alternative token at a position, with its log-probability. */
export interface JudgeTokenAlternative {
  readonly token: string
  readonly logprob: number
}

/** One output token of the judge, with the most likely alternatives at its position. */
export interface JudgeTokenLogprob extends JudgeTokenAlternative {
  /** The most likely tokens at this position (OpenAI `top_logprobs`), the sampled one usually among them. */
  readonly topLogprobs: readonly JudgeTokenAlternative[]
}

/** What a judge answered. */
export interface JudgeCompletionResult {
  /** The judge's answer text (JSON, if it followed the format). */
  readonly text: string
  /** Per-token log-probabilities, when asked for and the model returned them. */
  readonly logprobs?: readonly JudgeTokenLogprob[] | undefined
}

/**
 * The chat model behind an LLM judge. The judge reward models hold all the judging logic (prompt,
 * fencing, parsing, retries, logprob scores) and call only this, so an OpenAI-compatible endpoint
 * ({@link createJudgeChatCompletion}) and an AI SDK model (`createAiSdkJudgeCompletion` in
 * `bonbon/ai-sdk`) judge alike.
 */
export interface JudgeCompletion {
  /** A short name for logs: the judge model and where it runs (`gpt-4o-mini@api.openai.com`). */
  readonly name: string
  /**
   * Sends the messages and returns the answer.
   * @throws RewardModelError (or the model's own error) when the call fails; an answer that does not
   * follow the format is not an error here.
   */
  complete(messages: readonly JudgeMessage[], options: JudgeCompletionOptions): Promise<JudgeCompletionResult>
}
