import { spawn, type ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { BonbonConfigInput } from '../../src/config/config-schema.js'

const entry = fileURLToPath(new URL('./bonbon-cli-entry.ts', import.meta.url))
const repository = fileURLToPath(new URL('../..', import.meta.url))

/** `bonbon serve` running in a child process. */
export interface GatewayProcess {
  /** The gateway's base URL, without `/v1`. */
  readonly url: string
  readonly child: ChildProcess
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
}

/** Writes the configuration beside the store and starts `bonbon serve` on a free port, from source (tsx). */
export async function startGatewayProcess(dir: string, config: BonbonConfigInput): Promise<GatewayProcess> {
  const configPath = join(dir, 'bonbon.json')
  await writeFile(configPath, JSON.stringify(config))
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', '--config', configPath, '--port', '0'], {
    cwd: repository,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      output += `${line}\n`
      const match = /listening on (http:\/\/\S+)\/v1/.exec(line)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    void exited.then(({ code, signal }) => reject(new Error(`bonbon serve exited (${code ?? signal}) before listening:\n${output}`)))
  })
  return { url, child, exited, output: () => output }
}

/** What a load run saw. */
export interface LoadResult {
  /** `x-bonbon-request-id` of every request answered 200 with its whole body. */
  readonly answered: string[]
  /** Requests that got another status or no answer (the server was killed under them). */
  readonly failed: number
}

/** Options of {@link driveLoad}. */
export interface LoadOptions {
  readonly url: string
  /** Requests to send in all. */
  readonly total: number
  /** Requests in flight at once. */
  readonly concurrency: number
  /** Called after each answer; once it returns true no further request is sent. */
  readonly stopAfter?: (answered: number) => boolean
}

/** Sends chat completions with bounded concurrency and collects the ids of the answered ones. */
export async function driveLoad(options: LoadOptions): Promise<LoadResult> {
  const answered: string[] = []
  let failed = 0
  let sent = 0
  let stopped = false
  const body = JSON.stringify({ model: 'simulated-model', messages: [{ role: 'user', content: 'Name a colour.' }] })
  const worker = async () => {
    while (sent < options.total && !stopped) {
      sent += 1
      try {
        const response = await fetch(`${options.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        await response.arrayBuffer()
        const id = response.headers.get('x-bonbon-request-id')
        if (response.status === 200 && id !== null) answered.push(id)
        else failed += 1
      } catch {
        failed += 1
      }
      if (options.stopAfter?.(answered.length) === true) stopped = true
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return { answered, failed }
}
