/**
 * Runs the real `bonbon` command line from source (no build), for tests that need it in a process of
 * its own: to SIGKILL or SIGTERM the gateway, or to run a command as a user would:
 * `node --import tsx test/server/bonbon-cli-entry.ts serve ...`.
 */
import { main } from '../../src/cli/main.node.js'

await main(process.argv.slice(2))
