import { InvalidOptionsError } from '../errors.js'
import type { PreferenceRecord } from '../log/preference-record.js'
import { lastUserText } from '../util/last-user-text.js'
import { toBonbonExample } from './bonbon-example.js'
import { exportFormats, isExportFormat, isTrlStyle, type ExportFormat, type TrlStyle } from './export-format.js'
import { createFingerprintSet } from './fingerprint-set.js'
import { toOpenAIExample } from './openai-example.js'
import { scoredRewards, toPreferencePair, type PairSkipReason, type PreferencePair } from './preference-pair.js'
import { fingerprintFraction, fingerprintText, webCryptoSha256, type Digest } from './text-fingerprint.js'
import { isFlattenedForStandard, toTrlExample } from './trl-example.js'

/** Where a line goes: the single output, or the train or test part of a split. */
export type ExportSplit = 'all' | 'train' | 'test'

/** What an export did, counted as it goes. */
export interface ExportSummary {
  /** Records read from the log. */
  readonly read: number
  /** Lines written, over all splits. */
  readonly written: number
  /** Lines written to the train split (0 without a split). */
  readonly train: number
  /** Lines written to the test split (0 without a split). */
  readonly test: number
  /** Pairs left out because an identical prompt/chosen/rejected triple was already written. */
  readonly duplicates: number
  /** Records left out, by reason (pair formats; `jsonl` only skips for `fewerScored`). */
  readonly skipped: Readonly<Record<PairSkipReason, number>>
  /** `trl --trl-style standard` lines whose prompt lost a system prompt or earlier turns. */
  readonly flattened: number
}

/** Options of {@link exportRecords}. */
export interface ExportRecordsOptions {
  /** The records, pulled one at a time (a store's `readRecords`), so memory does not grow with the log. */
  readonly records: Iterable<PreferenceRecord> | AsyncIterable<PreferenceRecord>
  /** The dataset format. */
  readonly format: ExportFormat
  /** Style of `trl` lines. @default 'conversational' */
  readonly trlStyle?: TrlStyle
  /** Smallest reward gap best − worst exported; pair formats only. @default 0 */
  readonly minMargin?: number
  /** Fewest scored candidates a record needs. @default 2 for pair formats, 1 for `jsonl` */
  readonly minN?: number
  /**
   * Share of prompts in the train split, in (0, 1); lines then go to `train` or `test` by a hash of
   * the prompt, so a prompt is in one split only, on every run. Undefined: one output (`all`).
   */
  readonly trainFraction?: number
  /** Whether repeated prompt/chosen/rejected triples are written once; pair formats only. @default true */
  readonly deduplicate?: boolean
  /** Takes one line (newline included); a returned promise is awaited before the next record is read. */
  readonly write: (line: string, split: ExportSplit) => void | Promise<void>
  /** The hash behind deduplication and splits. @default SHA-256 via Web Crypto */
  readonly digest?: Digest
  /** Told after each record is handled, for progress display. */
  readonly onRecord?: (summary: ExportSummary) => void
}

interface Counters {
  read: number
  written: number
  train: number
  test: number
  duplicates: number
  skipped: Record<PairSkipReason, number>
  flattened: number
}

function check(condition: boolean, key: string, message: string): void {
  if (!condition) throw new InvalidOptionsError(`${key} ${message}`, { key })
}

function validate(options: ExportRecordsOptions): void {
  check(isExportFormat(options.format), 'format', `must be one of ${exportFormats.join(', ')}.`)
  if (options.trlStyle !== undefined) check(isTrlStyle(options.trlStyle), 'trlStyle', 'must be conversational or standard.')
  const { minMargin, minN, trainFraction } = options
  if (minMargin !== undefined) {
    check(Number.isFinite(minMargin) && minMargin >= 0, 'minMargin', 'must be a finite number ≥ 0.')
    check(options.format !== 'jsonl', 'minMargin', 'applies to pair formats, not jsonl (raw records).')
  }
  if (minN !== undefined) check(Number.isSafeInteger(minN) && minN >= 1, 'minN', 'must be an integer ≥ 1.')
  if (trainFraction !== undefined) {
    check(trainFraction > 0 && trainFraction < 1, 'trainFraction', 'must be strictly between 0 and 1.')
  }
  check(typeof options.write === 'function', 'write', 'must be a function.')
}

/** The line's prompt as text: what makes two lines "the same prompt" for splits and deduplication. */
function promptKey(record: PreferenceRecord, format: ExportFormat, trlStyle: TrlStyle): string {
  return format === 'trl' && trlStyle === 'standard' ? lastUserText(record.messages) : JSON.stringify(record.messages)
}

function exampleOf(pair: PreferencePair, format: ExportFormat, trlStyle: TrlStyle): unknown {
  if (format === 'trl') return toTrlExample(pair, trlStyle)
  if (format === 'openai') return toOpenAIExample(pair)
  return toBonbonExample(pair)
}

/**
 * Streams preference records into dataset lines: one best/worst pair per request for `trl`, `openai`
 * and `bonbon`, the record itself for `jsonl`. Records are pulled one at a time and each line is
 * handed to `write`, whose promise is awaited before the next record is pulled, so memory stays flat
 * however large the log: only an 8-byte fingerprint per distinct pair is kept, for deduplication.
 * @returns The counts: read, written per split, skipped per reason, duplicates.
 * @throws InvalidOptionsError for invalid options, before any record is read.
 * @example
 * const summary = await exportRecords({
 *   records: store.readRecords({ minN: 4 }),
 *   format: 'trl',
 *   write: (line) => output.write(line),
 * })
 */
export async function exportRecords(options: ExportRecordsOptions): Promise<ExportSummary> {
  validate(options)
  const { format, trainFraction, write, onRecord } = options
  const trlStyle = options.trlStyle ?? 'conversational'
  const digest = options.digest ?? webCryptoSha256
  const deduplicate = format !== 'jsonl' && options.deduplicate !== false
  const filter = { minMargin: options.minMargin, minN: options.minN }
  const seen = createFingerprintSet()
  const counts: Counters = {
    read: 0,
    written: 0,
    train: 0,
    test: 0,
    duplicates: 0,
    skipped: { noPair: 0, fewerScored: 0, tie: 0, belowMargin: 0 },
    flattened: 0,
  }

  async function handle(record: PreferenceRecord): Promise<void> {
    let line: string
    let prompt: string
    if (format === 'jsonl') {
      // The raw log keeps every record (n = 1 pass-throughs and failed runs included) unless asked.
      if (options.minN !== undefined && scoredRewards(record).length < options.minN) {
        counts.skipped.fewerScored += 1
        return
      }
      line = JSON.stringify(record)
      prompt = promptKey(record, format, trlStyle)
    } else {
      const outcome = toPreferencePair(record, filter)
      if (outcome.skip !== undefined) {
        counts.skipped[outcome.skip] += 1
        return
      }
      prompt = promptKey(record, format, trlStyle)
      const { best, worst } = outcome.pair
      if (deduplicate && !seen.add(await fingerprintText(JSON.stringify([prompt, best.text, worst.text]), digest))) {
        counts.duplicates += 1
        return
      }
      line = JSON.stringify(exampleOf(outcome.pair, format, trlStyle))
      if (format === 'trl' && trlStyle === 'standard' && isFlattenedForStandard(record.messages)) counts.flattened += 1
    }
    let split: ExportSplit = 'all'
    if (trainFraction !== undefined) {
      split = fingerprintFraction(await fingerprintText(prompt, digest)) < trainFraction ? 'train' : 'test'
      counts[split] += 1
    }
    counts.written += 1
    await write(`${line}\n`, split)
  }

  for await (const record of options.records) {
    counts.read += 1
    await handle(record)
    onRecord?.(counts)
  }
  return { ...counts, skipped: { ...counts.skipped } }
}
