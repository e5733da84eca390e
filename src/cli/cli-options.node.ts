import { InvalidArgumentError } from 'commander'
import { fileURLToPath } from 'node:url'
import { maxTimerMs } from '../util/abort-after.js'

/** The embedded default: the replay gateway over the shipped sample of real answers. */
export function defaultConfigPath(): string {
  return fileURLToPath(new URL('../../examples/replay-gateway.json', import.meta.url))
}

/** Parses a TCP port argument. */
export function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError('must be a port number, 0-65535')
  return port
}

/** Parses a duration argument in milliseconds: a whole number ≥ 0. */
export function parseMilliseconds(value: string): number {
  const ms = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(ms) || ms > maxTimerMs) {
    throw new InvalidArgumentError(`must be a whole number of milliseconds, 0-${maxTimerMs}`)
  }
  return ms
}
