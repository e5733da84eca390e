import type { Command } from 'commander'
import { createApp } from '../app/create-app.node.js'
import { loadConfigFile } from '../config/load-config.node.js'
import { serve } from '../server/serve.node.js'
import { defaultConfigPath, parsePort } from './cli-options.node.js'

/** `bonbon serve`: the gateway as a Node server, drained cleanly on SIGTERM and SIGINT. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the best-of-n gateway (OpenAI-compatible) over HTTP')
    .option('-c, --config <file>', 'JSON configuration file', defaultConfigPath())
    .option('-p, --port <port>', 'TCP port (0: any free port)', parsePort, 8080)
    .option('-H, --host <host>', 'interface to bind', '127.0.0.1')
    .action(async (options: { config: string; port: number; host: string }) => {
      const bonbon = await createApp(await loadConfigFile(options.config))
      const server = await serve(bonbon, { port: options.port, host: options.host })
      const { upstream, reward, bestOfN, log } = bonbon.config
      console.log(`bonbon listening on ${server.url}/v1 (config ${options.config})`)
      console.log(
        `  upstream ${upstream.kind}${'baseURL' in upstream ? ` ${upstream.baseURL}` : ''}` +
          ` · reward ${reward.kind} · n=${bestOfN.n} (max ${bestOfN.maxN})` +
          ` · log ${log.kind === 'sqlite' ? log.path : 'off'}`,
      )
      let stopping = false
      const stop = (signal: string) => {
        if (stopping) return
        stopping = true
        console.log(`bonbon: ${signal} received, finishing requests in flight and draining the log…`)
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error('bonbon: shutdown failed:', error)
            process.exit(1)
          },
        )
      }
      process.once('SIGTERM', () => stop('SIGTERM'))
      process.once('SIGINT', () => stop('SIGINT'))
    })
}
