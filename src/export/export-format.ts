/**
 * The dataset formats `bonbon export` writes, one JSON object per line. Each has a JSON Schema in
 * the repository's `schemas/` folder (`schemas/<format>.schema.json`).
 */
export const exportFormats = ['trl', 'openai', 'bonbon', 'jsonl'] as const

/**
 * `trl`: TRL's preference format (prompt, chosen, rejected); `openai`: OpenAI's preference
 * fine-tuning format; `bonbon`: one best/worst pair with everything the BoNBoN loss needs; `jsonl`:
 * the raw preference records.
 */
export type ExportFormat = (typeof exportFormats)[number]

/** How TRL lines carry text: message lists (`conversational`) or plain strings (`standard`). */
export const trlStyles = ['conversational', 'standard'] as const

/**
 * `conversational`: `prompt` is the logged message list and `chosen`/`rejected` one assistant
 * message each, so TRL applies the tokenizer's chat template; `standard`: plain strings, no template.
 */
export type TrlStyle = (typeof trlStyles)[number]

/** Whether a string names an export format. */
export function isExportFormat(value: string): value is ExportFormat {
  return (exportFormats as readonly string[]).includes(value)
}

/** Whether a string names a TRL style. */
export function isTrlStyle(value: string): value is TrlStyle {
  return (trlStyles as readonly string[]).includes(value)
}
