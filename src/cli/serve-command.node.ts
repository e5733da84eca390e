import type { Command } from 'commander'
import { formatAccessLogEntry } from '../app/access-log.js'
import { createApp } from '../app/create-app.node.js'
import { loadConfigFile } from '../config/load-config.node.js'
import { serve, type RunningServer } from '../server/serve.node.js'
import { defaultConfigPath, parseMilliseconds, parsePort } from './cli-options.node.js'

interface ServeCommandOptions {
  config: string
  port: number
  host: string
  quiet?: boolean
  shutdownGrace: number
}

/** `bonbon serve`: the gateway as a Node server, drained cleanly on SIGTERM and SIGINT. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the best-of-n gateway (OpenAI-compatible) over HTTP')
    .option('-c, --config <file>', 'JSON configuration file', defaultConfigPath())
    .option('-p, --port <port>', 'TCP port (0: any free port)', parsePort, 8080)
    .option('-H, --host <host>', 'interface to bind', '127.0.0.1')
    .option('-q, --quiet', 'no line per request')
    .option('--shutdown-grace <ms>', 'on SIGTERM, how long requests in flight may finish', parseMilliseconds, 30_000)
    .action(async (options: ServeCommandOptions) => {
      const bonbon = await createApp(await loadConfigFile(options.config), {
        accessLog: options.quiet ? undefined : (entry) => console.log(formatAccessLogEntry(entry)),
      })
      let server: RunningServer
      try {
        server = await serve(bonbon, { port: options.port, host: options.host, shutdownGraceMs: options.shutdownGrace })
      } catch (error) {
        await bonbon.close()
        throw error
      }
      const { upstream, reward, bestOfN, log } = bonbon.config
      console.log(`bonbon listening on ${server.url}/v1 (config ${options.config})`)
      console.log(
        `  upstream ${upstream?.kind}${upstream?.kind === 'openai' ? ` ${upstream.baseURL}` : ''}` +
          ` · reward ${reward.kind} · n=${bestOfN.n} (max ${bestOfN.maxN})` +
          ` · log ${log.kind === 'sqlite' ? log.path : log.kind}`,
      )
      if (upstream?.kind === 'openai' && !/\/v1\/?$/.test(new URL(upstream.baseURL).pathname)) {
        console.warn(`  note: upstream.baseURL does not end in /v1; bonbon calls ${upstream.baseURL}/chat/completions`)
      }
      handleSignals(server, options.shutdownGrace)
    })
}

/** A second signal sooner than this after the first is the same one delivered twice, ms. */
const duplicateSignalMs = 500

/**
 * The first SIGTERM/SIGINT stops accepting requests, lets those in flight finish (up to the grace
 * period) and drains the log; a second one cuts the connections at once but still drains the log,
 * so no answered request loses its record.
 */
function handleSignals(server: RunningServer, graceMs: number): void {
  let stoppingSince: number | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C, or one `systemctl stop`, reaches both the launcher (which forwards it) and this
      // process: the same stop, delivered twice within milliseconds, is not a second request.
      if (performance.now() - stoppingSince < duplicateSignalMs) return
      console.log(`bonbon: ${signal} again: cutting open connections, then draining the log…`)
      server.force()
      return
    }
    stoppingSince = performance.now()
    console.log(
      `bonbon: ${signal} received: finishing requests in flight (up to ${Math.round(graceMs / 1000)} s), then draining the log…`,
    )
    server.close().then(
      () => {
        console.log('bonbon: stopped; the log is drained.')
        process.exit(0)
      },
      (error: unknown) => {
        console.error('bonbon: shutdown failed:', error)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
