import type { Command } from 'commander'
import { formatStatsTable, explainWinRateGaps, statsDefinitions } from '../export/format-stats-table.js'
import { createPreferenceStats, type PreferenceStatsGroup } from '../export/preference-stats.js'
import { openRecordSource } from '../log/record-source.node.js'
import { defaultConfigPath } from './cli-options.node.js'
import { resolveStorePath, type LogCommandIo, type StoreLocation } from './export-command.node.js'

/** The parsed options of `bonbon stats`. */
export interface StatsCommandOptions extends StoreLocation {
  /** Print JSON for machines instead of the table. */
  readonly json?: boolean
}

/** What `bonbon stats --json` prints. */
export interface StatsReport {
  /** The store read. */
  readonly store: string
  /** Records read. */
  readonly records: number
  readonly groups: readonly PreferenceStatsGroup[]
  /** Column definitions, then an explanation of every win rate below n/(n+1). */
  readonly notes: readonly string[]
}

/**
 * Runs `bonbon stats`: one pass over the log, then a table (or JSON) per model and n of the realised
 * win rate beside n/(n+1), rewards of chosen and random candidates, and the length drift.
 * @returns The report printed.
 */
export async function runStats(options: StatsCommandOptions, io: LogCommandIo = {}): Promise<StatsReport> {
  const path = await resolveStorePath(options)
  const store = (io.openStore ?? openRecordSource)(path)
  const stats = createPreferenceStats()
  try {
    for (const record of store.readRecords()) stats.add(record)
  } finally {
    store.close()
  }
  const groups = stats.groups()
  const report = { store: path, records: stats.records, groups, notes: [...statsDefinitions, ...explainWinRateGaps(groups)] }
  const stdout = io.stdout ?? process.stdout
  stdout.write(
    options.json === true
      ? `${JSON.stringify(report, null, 2)}\n`
      : `bonbon stats: ${stats.records} records in ${path}\n\n${formatStatsTable(groups)}\n`,
  )
  return report
}

/** `bonbon stats`: what best-of-n delivered, per model and n, from the log. */
export function registerStatsCommand(program: Command, io: LogCommandIo = {}): void {
  program
    .command('stats')
    .description('realised win rate (beside n/(n+1)), rewards and length drift per model and n, from the log')
    .option('-c, --config <file>', 'gateway configuration; its log section names the store', defaultConfigPath())
    .option('--store <path>', 'the log to read: a SQLite store, a D1 export (.sql) or JSONL records (.jsonl, e.g. from R2); overrides the configuration')
    .option('--json', 'print JSON for machines instead of a table')
    .action(async (options: StatsCommandOptions) => {
      await runStats(options, io)
    })
}
