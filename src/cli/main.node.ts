import { Command } from 'commander'
import { BonbonError } from '../errors.js'
import { registerAuditCommand } from './audit-command.node.js'
import { registerServeCommand } from './serve-command.node.js'
import { registerExportCommand } from './export-command.node.js'
import { registerStatsCommand } from './stats-command.node.js'

/** Runs the `bonbon` command line with the given arguments (without `node` and the script). */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('bonbon')
    .description('best-of-n at the gateway: sample n answers, score them with a reward model, answer with the best')
    .showHelpAfterError()
  registerServeCommand(program)
  registerAuditCommand(program)
  registerExportCommand(program)
  registerStatsCommand(program)
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    // Configuration and input errors are the user's to fix: say what is wrong, without a stack.
    if (BonbonError.isInstance(error)) {
      console.error(`bonbon: ${error.message}`)
      process.exitCode = 2
      return
    }
    throw error
  }
}
