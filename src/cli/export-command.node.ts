import { SingleBar } from 'cli-progress'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, existsSync, mkdirSync, openSync, realpathSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { applyEnv } from '../config/apply-env.js'
import { loadConfigFile } from '../config/load-config.node.js'
import { parseConfig } from '../config/parse-config.js'
import { InvalidOptionsError } from '../errors.js'
import { exportFormats, trlStyles, type ExportFormat, type TrlStyle } from '../export/export-format.js'
import { exportRecords, type ExportSplit, type ExportSummary } from '../export/export-records.js'
import { formatExportSummary } from '../export/format-export-summary.js'
import { splitOutputPaths } from '../export/split-output-paths.js'
import type { Digest } from '../export/text-fingerprint.js'
import { openRecordSource } from '../log/record-source.node.js'
import type { SqliteStore } from '../log/sqlite-store.node.js'
import { defaultConfigPath } from './cli-options.node.js'

/** Where the store named on the command line is: `--store`, or the `log` section of `--config`. */
export interface StoreLocation {
  /** The gateway's JSON configuration file, whose `log` section names the store. */
  readonly config: string
  /** The store's file; overrides the configuration. */
  readonly store?: string
}

/** The I/O a log command uses; tests pass their own, the command line the defaults. */
export interface LogCommandIo {
  /** Opens the preference log for reading. @default openRecordSource (SQLite, D1 export or JSONL, by extension) */
  readonly openStore?: (path: string) => SqliteStore
  /** Opens an output file (`-` is stdout and never passed here). @default fs.createWriteStream, creating the folder */
  readonly openOutput?: (path: string) => Writable
  /** Standard output, for `--out -` and tables. @default process.stdout */
  readonly stdout?: Writable
  /** Where the progress bar and the summary go; the bar only shows when `isTTY`. @default process.stderr */
  readonly stderr?: NodeJS.WritableStream & { readonly isTTY?: boolean }
}

/** The parsed options of `bonbon export`. */
export interface ExportCommandOptions extends StoreLocation {
  /** The dataset format. */
  readonly format: ExportFormat
  /** Output file, or `-` for stdout. */
  readonly out: string
  /** Only requests at or after this instant, ISO 8601. */
  readonly since?: string
  /** Only requests before this instant, ISO 8601. */
  readonly until?: string
  /** Only requests for this model. */
  readonly model?: string
  /** Smallest reward gap between best and worst. */
  readonly minMargin?: number
  /** Fewest scored candidates per request. */
  readonly minN?: number
  /** Share of prompts in the train split. */
  readonly split?: number
  /** Style of `trl` lines. */
  readonly trlStyle?: TrlStyle
}

/**
 * Finds the store: `--store` as given, else the SQLite path of the configuration's `log` section
 * (resolved against the configuration file's folder).
 * @throws InvalidOptionsError when the configuration is invalid or keeps no SQLite log.
 */
export async function resolveStorePath(location: StoreLocation): Promise<string> {
  if (location.store !== undefined) return location.store
  const config = parseConfig(applyEnv(await loadConfigFile(location.config), process.env))
  if (config.log.kind !== 'sqlite' || config.log.path === ':memory:') {
    throw new InvalidOptionsError(`${location.config} keeps no SQLite log; pass --store <path>.`, { key: 'log' })
  }
  return config.log.path
}

function parseInstant(value: string): string {
  // ISO 8601 from a four-digit year: Date.parse also takes "1" (2001) or "99999" (year 99999, which
  // sorts before "2026" as text).
  const time = /^\d{4}-\d{2}(-\d{2})?([T ].*)?$/.test(value.trim()) ? Date.parse(value) : NaN
  if (Number.isNaN(time)) throw new InvalidArgumentError('must be a date or time, ISO 8601 (2025-03-01, 2025-03-01T12:00Z)')
  // The store compares created_at as text, in the toISOString() form it was written in.
  return new Date(time).toISOString()
}

/** Parses `--split`: the train share, strictly between 0 and 1. */
export function parseSplit(value: string): number {
  const share = Number(value)
  if (value.trim() === '' || !(share > 0 && share < 1)) throw new InvalidArgumentError('must be a number strictly between 0 and 1')
  return share
}

/** Parses `--min-margin`: a reward gap ≥ 0. */
export function parseMinMargin(value: string): number {
  const margin = Number(value)
  if (value.trim() === '' || !Number.isFinite(margin) || margin < 0) throw new InvalidArgumentError('must be a number ≥ 0')
  return margin
}

/** Parses `--min-n`: an integer ≥ 1. */
export function parseMinN(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer ≥ 1')
  return n
}

const nodeSha256: Digest = (data) => createHash('sha256').update(data).digest()

/**
 * Opens an output file at once, so a path that is a folder or not writable is refused before the
 * store is read. Later write errors (disk full, EIO) surface at the next write, not as an uncaught
 * stream error.
 * @throws InvalidOptionsError naming the path.
 */
function openFile(path: string): Writable {
  let fd: number
  try {
    mkdirSync(dirname(path), { recursive: true })
    fd = openSync(path, 'w')
  } catch (error) {
    throw new InvalidOptionsError(`Cannot write ${path}: ${(error as Error).message}`, { key: 'out', cause: error })
  }
  // The failure is read back from `stream.errored` by writeChunk and finish.
  return createWriteStream(path, { fd }).on('error', () => undefined)
}

/** Writes with backpressure: a full buffer waits for 'drain'; a stream that failed throws its error. */
async function writeChunk(stream: Writable, chunk: string): Promise<void> {
  if (stream.errored) throw stream.errored
  if (!stream.write(chunk)) await once(stream, 'drain')
}

async function finish(stream: Writable, isStdout: boolean): Promise<void> {
  if (isStdout) {
    // stdout stays open for whoever runs us; only wait for what we queued.
    if (stream.writableNeedDrain) await once(stream, 'drain')
    return
  }
  if (stream.errored) throw stream.errored
  if (stream.writableFinished || stream.destroyed) return
  const finished = once(stream, 'finish')
  stream.end()
  await finished
}

function checkCombinations(options: ExportCommandOptions): void {
  if (options.split !== undefined && options.out === '-') {
    throw new InvalidOptionsError('--split writes two files; give --out a file name, not -.', { key: 'split' })
  }
  if (options.out !== '-' && (/[\\/]$/.test(options.out) || statSync(options.out, { throwIfNoEntry: false })?.isDirectory() === true)) {
    throw new InvalidOptionsError(`--out ${options.out} is a folder; give a file name in it, e.g. ${join(options.out, 'pairs.jsonl')}.`, {
      key: 'out',
    })
  }
  if (options.trlStyle !== undefined && options.format !== 'trl') {
    throw new InvalidOptionsError('--trl-style applies to --format trl only.', { key: 'trlStyle' })
  }
  if (options.minMargin !== undefined && options.format === 'jsonl') {
    throw new InvalidOptionsError('--min-margin applies to pair formats (trl, openai, bonbon), not jsonl.', {
      key: 'minMargin',
    })
  }
}

/**
 * Refuses an `--out` that is the store or one of its companion files: the export would truncate
 * the log it is reading, and every record in it would be lost.
 * @throws InvalidOptionsError naming the path.
 */
function refuseToOverwrite(storePath: string, options: ExportCommandOptions): void {
  if (options.out === '-') return
  const canonical = (path: string) => {
    const absolute = resolve(path)
    return existsSync(absolute) ? realpathSync(absolute) : absolute
  }
  const store = canonical(storePath)
  const protectedPaths = new Set([store, `${store}-wal`, `${store}-shm`, `${store}-journal`, `${store}.spill.jsonl`])
  const outputs = options.split === undefined ? [options.out] : Object.values(splitOutputPaths(options.out))
  for (const output of outputs) {
    if (protectedPaths.has(canonical(output))) {
      throw new InvalidOptionsError(`--out ${output} is the store being exported (or one of its files); write elsewhere.`, { key: 'out' })
    }
  }
}

/**
 * Runs `bonbon export`: streams the log into a dataset, one record at a time, with a progress bar on
 * a terminal and a summary line on stderr at the end.
 * @returns The export's counts.
 * @throws InvalidOptionsError for contradictory options or a missing store.
 */
export async function runExport(options: ExportCommandOptions, io: LogCommandIo = {}): Promise<ExportSummary> {
  checkCombinations(options)
  const stderr = io.stderr ?? process.stderr
  const stdout = io.stdout ?? process.stdout
  const storePath = await resolveStorePath(options)
  refuseToOverwrite(storePath, options)
  const store = (io.openStore ?? openRecordSource)(storePath)
  const openOutput = io.openOutput ?? openFile
  const outputs: Partial<Record<ExportSplit, Writable>> = {}
  const targets: Partial<Record<ExportSplit, string>> = {}
  let bar: SingleBar | undefined
  try {
    const filter = { since: options.since, until: options.until, model: options.model, minN: options.minN }
    if (options.split !== undefined) {
      const paths = splitOutputPaths(options.out)
      Object.assign(targets, paths)
      outputs.train = openOutput(paths.train)
      outputs.test = openOutput(paths.test)
    } else {
      targets.all = options.out === '-' ? 'stdout' : options.out
      outputs.all = options.out === '-' ? stdout : openOutput(options.out)
    }
    if (stderr.isTTY === true) {
      bar = new SingleBar({
        stream: stderr,
        format: 'bonbon export [{bar}] {percentage}% | {value}/{total} records | {written} written | ETA {eta_formatted}',
        hideCursor: null,
        clearOnComplete: true,
      })
      bar.start(store.count(filter), 0, { written: 0 })
    }
    const summary = await exportRecords({
      records: store.readRecords(filter),
      format: options.format,
      trlStyle: options.trlStyle,
      minMargin: options.minMargin,
      minN: options.minN,
      trainFraction: options.split,
      digest: nodeSha256,
      write: (line, split) => {
        const output = outputs[split]
        if (output === undefined) throw new Error(`No output is open for the ${split} split.`)
        return writeChunk(output, line)
      },
      onRecord: (progress) => {
        // Redrawing is throttled by cli-progress; updating every record would still cost a call each.
        if (progress.read % 256 === 0) bar?.update(progress.read, { written: progress.written })
      },
    })
    bar?.update(summary.read, { written: summary.written })
    bar?.stop()
    bar = undefined
    await Promise.all(Object.values(outputs).map((stream) => finish(stream, stream === stdout)))
    stderr.write(`${formatExportSummary(summary, targets)}\n`)
    return summary
  } finally {
    bar?.stop()
    for (const stream of Object.values(outputs)) if (stream !== stdout && !stream.writableFinished) stream.destroy()
    store.close()
  }
}

/** `bonbon export`: preference datasets (TRL, OpenAI, BoNBoN, raw JSONL) from the log. */
export function registerExportCommand(program: Command, io: LogCommandIo = {}): void {
  program
    .command('export')
    .description('write the logged best/worst pairs as a preference dataset (JSONL), streaming')
    .option('-c, --config <file>', "gateway configuration; its log section names the store", defaultConfigPath())
    .option('--store <path>', 'the log to read: a SQLite store, a D1 export (.sql) or JSONL records (.jsonl, e.g. from R2); overrides the configuration')
    .addOption(new Option('-f, --format <format>', 'dataset format').choices(exportFormats).makeOptionMandatory())
    .requiredOption('-o, --out <file>', 'output file, or - for stdout')
    .option('--since <time>', 'only requests at or after this time (ISO 8601)', parseInstant)
    .option('--until <time>', 'only requests before this time (ISO 8601)', parseInstant)
    .option('--model <name>', 'only requests for this model')
    .option('--min-margin <reward>', 'only pairs whose best and worst rewards differ by at least this', parseMinMargin)
    .option('--min-n <n>', 'only requests with at least this many scored candidates', parseMinN)
    .option(
      '--split <fraction>',
      'train share (e.g. 0.9), by prompt hash: writes <out>.train.jsonl and <out>.test.jsonl (.jsonl in <out> replaced)',
      parseSplit,
    )
    .addOption(
      new Option('--trl-style <style>', 'trl lines as message lists or plain strings (prompt = last user message)').choices(
        trlStyles,
      ),
    )
    .action(async (options: ExportCommandOptions) => {
      await runExport(options, io)
    })
}
