#!/usr/bin/env node
// Launcher for the `bonbon` command. bonbon needs Node >= 22.13 (node:sqlite); when started by an
// older system node, it re-runs itself on the Node 24 that `npm ci` installed (the `node`
// devDependency), so `node bin/bonbon.js` works right after `npm ci` on any machine.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
const supported = major > 22 || (major === 22 && minor >= 13)

if (!supported) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(bundled)) {
    console.error(`bonbon needs Node.js >= 22.13; this is ${process.version}. Install Node 24, or run npm ci here.`)
    process.exit(1)
  }
  // The IPC channel ties the child's life to ours: if this launcher dies, even by SIGKILL, the
  // channel closes and the child stops as on SIGTERM (draining its log) instead of living on,
  // orphaned, holding the port.
  const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    // Die of the child's signal, as a shell expects; our own forwarding handler would swallow it.
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  })
} else {
  if (process.channel) {
    // Started with an IPC channel (by the launcher above, or a supervisor's fork): its closing means
    // the parent is gone, so stop as on SIGTERM. unref: the channel alone keeps no command running.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
    process.channel.unref()
  }
  const entry = new URL('../dist/cli/main.node.js', import.meta.url)
  if (!existsSync(fileURLToPath(entry))) {
    console.error('bonbon is not built yet: run `npm run build` (npm ci does it for you).')
    process.exit(1)
  }
  const { main } = await import(entry.href)
  await main(process.argv.slice(2))
}
