import {
  appendFileSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { BonbonError, describeError } from '../errors.js'
import { parsePreferenceRecord } from './preference-record-schema.js'
import { fromRecordRows, toRecordRows, type RecordRows } from './record-schema.js'

const newline = 0x0a
const readChunkBytes = 1 << 20

/** Options of {@link appendSpillLines}. */
export interface AppendSpillOptions {
  /** Whether the lines reach the disk (fdatasync) before the call returns. */
  readonly sync: boolean
}

/** The spill-file line of a queued record: the record in its JSON form, as a JSONL export writes it. */
export function spillLine(rows: RecordRows): string {
  return JSON.stringify(fromRecordRows(rows.request, rows.candidates))
}

/** Whether a spill file exists and holds at least one byte. */
export function spillFileHasData(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false })
  return stats !== undefined && stats.isFile() && stats.size > 0
}

/**
 * Appends lines to an append-only JSONL spill file in one write, creating it and its folder when
 * missing. When the file's last line is torn (a crash cut a write short), a newline goes first, so
 * the fragment stays a line of its own instead of corrupting the next record.
 * @throws the file system's error when the file cannot be written.
 */
export function appendSpillLines(path: string, lines: readonly string[], options: AppendSpillOptions): void {
  if (lines.length === 0) return
  const created = !existsSync(path)
  if (created) mkdirSync(dirname(path), { recursive: true })
  // 'a+' rather than 'a': the last byte has to be read to see whether the tail is torn.
  const fd = openSync(path, 'a+')
  try {
    const { size } = fstatSync(fd)
    const last = Buffer.alloc(1)
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== newline
    const bytes = Buffer.from(`${torn ? '\n' : ''}${lines.join('\n')}\n`, 'utf8')
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written)
    if (options.sync) fdatasyncSync(fd)
  } finally {
    closeSync(fd)
  }
  // A new file's directory entry is only durable once the directory itself is synced.
  if (created && options.sync) syncDirectory(dirname(path))
}

function syncDirectory(path: string): void {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    fsyncSync(fd)
  } catch {
    // Some platforms (Windows) cannot open or sync a directory; the file's own sync is the best there is.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

interface SpillLine {
  readonly text: string
  /** 1-based line number. */
  readonly number: number
  /** False for a last line with no newline: a write a crash cut short. */
  readonly complete: boolean
}

/** Reads a file line by line in 1 MiB chunks, splitting on bytes so a chunk edge never splits a character. */
function* readLines(path: string): Generator<SpillLine, void, undefined> {
  const fd = openSync(path, 'r')
  try {
    const chunk = Buffer.alloc(readChunkBytes)
    let carry = Buffer.alloc(0)
    let position = 0
    let number = 0
    for (;;) {
      const bytesRead = readSync(fd, chunk, 0, chunk.length, position)
      if (bytesRead === 0) break
      position += bytesRead
      const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)])
      let start = 0
      for (let end = data.indexOf(newline); end !== -1; end = data.indexOf(newline, start)) {
        number += 1
        yield { text: data.toString('utf8', start, end), number, complete: true }
        start = end + 1
      }
      // Copied: `chunk` is reused by the next read.
      carry = Buffer.from(data.subarray(start))
    }
    if (carry.length > 0) yield { text: carry.toString('utf8'), number: number + 1, complete: false }
  } finally {
    closeSync(fd)
  }
}

/** Options of {@link replaySpillFile}. */
export interface ReplaySpillOptions {
  /** Records per `commit` call. */
  readonly batchSize: number
  /** Commits one batch to the store; throws when the store fails, which leaves the spill file in place. */
  readonly commit: (batch: readonly RecordRows[]) => void
  /** Told about each line that is skipped (torn by a crash, not JSON, not a record). */
  readonly onSkip: (error: BonbonError) => void
}

/** What a replay did. */
export interface SpillReplay {
  /** Records committed to the store. */
  readonly records: number
  /** Lines skipped and kept in the `.rejected` file beside the spill file. */
  readonly skipped: number
}

function parseLine(line: SpillLine, path: string): RecordRows {
  const where = `${path} line ${line.number}`
  let value: unknown
  try {
    value = JSON.parse(line.text)
  } catch (error) {
    throw new BonbonError('spill_line_skipped', `${where} is not JSON (${describeError(error)}); skipped.`)
  }
  try {
    return toRecordRows(parsePreferenceRecord(value, where))
  } catch (error) {
    throw new BonbonError('spill_line_skipped', `${describeError(error)}; skipped.`, { cause: error })
  }
}

/**
 * Replays a spill file into the store batch by batch, then removes it. Writes are idempotent by
 * request id, so a replay cut short by a crash is simply done again. A line that cannot be read
 * back is skipped with a warning, never fatal, and kept in `<path>.rejected` for a human.
 * @throws whatever `commit` throws; the spill file then stays for the next attempt.
 */
export function replaySpillFile(path: string, options: ReplaySpillOptions): SpillReplay {
  if (!existsSync(path)) return { records: 0, skipped: 0 }
  const rejected: string[] = []
  let batch: RecordRows[] = []
  let records = 0
  for (const line of readLines(path)) {
    if (line.text.trim() === '') continue
    try {
      batch.push(parseLine(line, path))
    } catch (error) {
      const reason = BonbonError.isInstance(error) ? error : new BonbonError('spill_line_skipped', describeError(error))
      options.onSkip(
        line.complete
          ? reason
          : new BonbonError('spill_line_skipped', `${path} line ${line.number} is torn (a write cut short by a crash); skipped.`),
      )
      rejected.push(line.text)
      continue
    }
    if (batch.length >= options.batchSize) {
      options.commit(batch)
      records += batch.length
      batch = []
    }
  }
  if (batch.length > 0) {
    options.commit(batch)
    records += batch.length
  }
  // Only once every record is committed: a crash before this point replays the file again.
  if (rejected.length > 0) appendFileSync(`${path}.rejected`, `${rejected.join('\n')}\n`)
  rmSync(path, { force: true })
  return { records, skipped: rejected.length }
}
