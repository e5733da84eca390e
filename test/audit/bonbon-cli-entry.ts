// The `bonbon` command line from source, for tests that run it as a separate process (no build).
import { main } from '../../src/cli/main.node.js'

await main(process.argv.slice(2))
