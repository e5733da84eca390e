import { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { BonbonError } from '../errors.js'
import { registerAuditCommand } from './audit-command.node.js'
import { registerServeCommand } from './serve-command.node.js'
import { registerExportCommand } from './export-command.node.js'
import { registerStatsCommand } from './stats-command.node.js'

/** Runs the `bonbon` command line with the given arguments (without `node` and the script). */
export async function main(argv: readonly string[]): Promise<void> {
  // `bonbon export --out - | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
  const program = new Command('bonbon')
    .description('best-of-n at the gateway: sample n answers, score them with a reward model, answer with the best')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
  registerServeCommand(program)
  registerAuditCommand(program)
  registerExportCommand(program)
  registerStatsCommand(program)
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    const message = userFacingMessage(error)
    if (message === undefined) throw error
    console.error(`bonbon: ${message}`)
    process.exitCode = 2
  }
}

/** The version in package.json, two folders up from this file in src/ and in dist/ alike. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
  return typeof manifest.version === 'string' ? manifest.version : 'unknown'
}

/**
 * What to tell the user of an error that is theirs to fix (bad configuration or input, a file that
 * is missing, a port in use), without a stack; undefined for a bug, whose stack is worth showing.
 */
function userFacingMessage(error: unknown): string | undefined {
  if (BonbonError.isInstance(error)) return error.message
  const code = (error as NodeJS.ErrnoException | null)?.code
  // A damaged store ("database disk image is malformed") is the operator's to repair, not a bug.
  if (error instanceof Error && code === 'ERR_SQLITE_ERROR') return `the store could not be read: ${error.message}`
  if (error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const where = (error as NodeJS.ErrnoException).path
    return where !== undefined && !error.message.includes(where) ? `${error.message} (${where})` : error.message
  }
  return undefined
}
