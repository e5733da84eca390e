/**
 * Runs the real `bonbon` command line from source, for tests that need the gateway in a process of
 * its own (to SIGKILL or SIGTERM it): `node --import tsx test/server/bonbon-cli-entry.ts serve ...`.
 */
import { main } from '../../src/cli/main.node.js'

await main(process.argv.slice(2))
