/**
 * The confirmation `bonbon audit rate` asks before paying for calls: on a terminal it asks, with
 * `--yes` it does not, and without a terminal (a pipe, CI) it refuses rather than spend unasked.
 * @module
 */
import { createInterface } from 'node:readline/promises'
import { InvalidOptionsError } from '../errors.js'

/** Options of {@link confirmAudit}. */
export interface ConfirmAuditOptions {
  /** Calls the audit will pay for; nothing is asked when there are none. */
  readonly calls: number
  /** `--yes`: proceed without asking. */
  readonly yes: boolean
  /** Where the answer is read. */
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean }
  /** Where the question is written. */
  readonly output: NodeJS.WritableStream & { readonly isTTY?: boolean }
}

/**
 * Resolves true to proceed, false when the person declined.
 * @throws InvalidOptionsError when there is no terminal to ask and `--yes` was not given.
 */
export async function confirmAudit(options: ConfirmAuditOptions): Promise<boolean> {
  if (options.calls === 0 || options.yes) return true
  if (options.input.isTTY !== true || options.output.isTTY !== true) {
    throw new InvalidOptionsError(
      `This audit makes ${options.calls} paid calls and there is no terminal to confirm them: pass --yes to proceed.`,
      { key: 'yes' },
    )
  }
  const readline = createInterface({ input: options.input, output: options.output })
  try {
    const answer = await readline.question(`Make ${options.calls} calls? [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    readline.close()
  }
}
