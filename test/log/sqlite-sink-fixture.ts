import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, vi } from 'vitest'
import type { BonbonError } from '../../src/errors.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'
import { createSqliteSink, type SqliteSink, type SqliteSinkOptions } from '../../src/log/sqlite-sink.node.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'

/** Options of {@link useSqliteSinkFixture}. */
export interface SqliteSinkFixtureOptions {
  /** Prefix of each test's temporary folder. */
  readonly prefix: string
  /**
   * The database's path inside that folder; a nested one checks that the sink creates folders.
   * @default 'bonbon.db'
   */
  readonly file?: string
  /**
   * Whether `openSink` collects the sink's errors in `errors`; otherwise the sink's own default
   * `onError` gets them.
   * @default true
   */
  readonly collectErrors?: boolean
}

/** What {@link useSqliteSinkFixture} gives a test; the paths are new for each test. */
export interface SqliteSinkFixture {
  /** The test's temporary folder, removed after it. */
  readonly folder: string
  /** The database's path. */
  readonly path: string
  /** The sink's default spill file, `<path>.spill.jsonl`. */
  readonly spillPath: string
  /** The errors the test's sinks reported, with `collectErrors`. */
  readonly errors: BonbonError[]
  /** Opens a sink on `path`, closed after the test. */
  openSink(options?: Partial<SqliteSinkOptions>): SqliteSink
  /** Every record the store holds, read through a connection of its own. */
  readAll(): PreferenceRecord[]
  /** The spill file's non-empty lines. */
  spillLines(): string[]
  /** Holds the database's write lock from another connection, as a second process would. */
  lockStore(): { release(): void }
}

/**
 * Registers `beforeEach`/`afterEach` hooks that give every test of the calling file a fresh folder
 * for a SQLite sink, and afterwards restore real timers, close the sinks it opened and remove the
 * folder. Call it at the top level of a test file.
 */
export function useSqliteSinkFixture(options: SqliteSinkFixtureOptions): SqliteSinkFixture {
  const collectErrors = options.collectErrors ?? true
  const opened: SqliteSink[] = []
  let folder = ''
  let path = ''
  let errors: BonbonError[] = []

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), options.prefix))
    path = join(folder, options.file ?? 'bonbon.db')
    errors = []
  })

  afterEach(async () => {
    vi.useRealTimers()
    for (const sink of opened.splice(0)) await sink.close().catch(() => undefined)
    rmSync(folder, { recursive: true, force: true })
  })

  return {
    get folder() {
      return folder
    },
    get path() {
      return path
    },
    get spillPath() {
      return `${path}.spill.jsonl`
    },
    get errors() {
      return errors
    },
    openSink(sinkOptions = {}) {
      const onError = collectErrors ? { onError: (error: BonbonError) => errors.push(error) } : {}
      const sink = createSqliteSink({ path, ...onError, ...sinkOptions })
      opened.push(sink)
      return sink
    },
    readAll() {
      const store = openSqliteStore(path)
      try {
        return [...store.readRecords()]
      } finally {
        store.close()
      }
    },
    spillLines() {
      return readFileSync(`${path}.spill.jsonl`, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    },
    lockStore() {
      const other = new DatabaseSync(path)
      other.exec('BEGIN EXCLUSIVE')
      return {
        release() {
          other.exec('ROLLBACK')
          other.close()
        },
      }
    },
  }
}
