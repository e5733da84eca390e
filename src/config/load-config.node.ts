import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { InvalidOptionsError } from '../errors.js'
import type { BonbonConfigInput } from './config-schema.js'

/**
 * Reads a JSON configuration file. Relative file paths inside it (replay pools, the SQLite store)
 * are resolved against the file's folder, so a config works from any working directory.
 * @throws InvalidOptionsError when the file cannot be read or is not JSON.
 */
export async function loadConfigFile(path: string): Promise<BonbonConfigInput> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new InvalidOptionsError(`Cannot read config file ${path}: ${(error as Error).message}`, { cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidOptionsError(`Config file ${path} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidOptionsError(`Config file ${path} must hold a JSON object.`)
  }
  return resolvePaths(json as Record<string, unknown>, dirname(resolve(path))) as BonbonConfigInput
}

/** File-valued keys of the configuration, by section. */
const fileKeys: ReadonlyArray<readonly [section: string, key: string]> = [
  ['upstream', 'file'],
  ['reward', 'file'],
  ['log', 'path'],
  ['log', 'spillPath'],
]

function resolvePaths(config: Record<string, unknown>, base: string): Record<string, unknown> {
  const copy = { ...config }
  for (const [section, key] of fileKeys) {
    const value = copy[section]
    if (typeof value !== 'object' || value === null) continue
    const path = (value as Record<string, unknown>)[key]
    if (typeof path === 'string' && path !== '' && path !== ':memory:' && !isAbsolute(path)) {
      copy[section] = { ...value, [key]: resolve(base, path) }
    }
  }
  return copy
}
