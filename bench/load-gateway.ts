/**
 * The gateway under test of `bench/load.ts`: the real `bonbon serve` command line, in a process of
 * its own so it can be killed, that also answers the message `'rss'` (over the IPC channel) with its
 * peak resident set size, `process.resourceUsage().maxRSS`, in kB.
 */
import { main } from '../src/cli/main.node.js'

process.on('message', (message) => {
  if (message === 'rss') process.send?.({ maxRSS: process.resourceUsage().maxRSS })
})
await main(process.argv.slice(2))
