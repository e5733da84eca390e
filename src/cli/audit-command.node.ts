import { InvalidArgumentError, type Command } from 'commander'
import { statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { createMemoryAuditCache, type AuditCache } from '../audit/audit-cache.js'
import { confirmAudit } from '../audit/confirm-audit.node.js'
import { describeRateAttribute, resolveRateAttribute, type RateAttribute } from '../audit/rate-attribute.js'
import { formatRateAuditPlan } from '../audit/rate-audit-plan.js'
import { createRateAuditProgress } from '../audit/rate-audit-progress.node.js'
import { parseRateAuditSource, rateAuditItemsFromRecords, type RateAuditSource } from '../audit/rate-audit-source.js'
import { formatRateAuditCalls, rateReportHighlights } from '../audit/rate-audit-summary.js'
import { createRateAudit, type RateAuditResult } from '../audit/rate-audit.js'
import { resolveAuditRewriter } from '../audit/resolve-audit-rewriter.js'
import { openSqliteAuditCache } from '../audit/sqlite-audit-cache.node.js'
import { writeRateAuditReports } from '../audit/write-rate-audit-reports.node.js'
import { applyEnv } from '../config/apply-env.js'
import { auditSchema } from '../config/config-schema.js'
import { loadConfigFile } from '../config/load-config.node.js'
import { parseConfig } from '../config/parse-config.js'
import { InvalidOptionsError } from '../errors.js'
import { openSqliteStore } from '../log/sqlite-store.node.js'
import { createRewardModel } from '../score/create-reward-model.node.js'

/** The I/O of `bonbon audit`; tests pass their own, the command line uses the process's. */
export interface AuditCommandIo {
  /** Where the summary goes. @default process.stdout */
  readonly stdout?: NodeJS.WritableStream
  /** Where the plan, the question and the progress go. @default process.stderr */
  readonly stderr?: NodeJS.WritableStream & { readonly isTTY?: boolean }
  /** Where the confirmation is read. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean }
  /** The fetch for rewriter and reward-model calls. @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Environment variables (`BONBON_*` overrides, `BONBON_AUDIT_API_KEY`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Stops the run (tests); Ctrl-C does the same on the command line. */
  readonly signal?: AbortSignal
  /** The clock, for the default output folder's name. @default () => new Date() */
  readonly now?: () => Date
}

/** The parsed options of `bonbon audit rate`. */
export interface AuditRateCommandOptions {
  /** The gateway's JSON configuration file. */
  readonly config: string
  /** The attribute W: `length` or a name from `audit.attributes`. */
  readonly attribute: string
  /** A JSONL file of answers; without it, the store's logged requests. */
  readonly source?: string
  /** Audit at most this many answers. */
  readonly limit?: number
  /** The report folder. @default ./rate-<attribute>-<timestamp> */
  readonly out?: string
  /** Make the paid calls without asking. */
  readonly yes: boolean
  /** The SQLite store (source and cache). @default the configuration's log */
  readonly store?: string
  /** `length` only: the threshold in characters. @default the median of the source */
  readonly threshold?: number
  /** The rewriter model. @default audit.rewriter.model, else the first logged record's model */
  readonly model?: string
}

/** What a finished command did. */
export interface AuditRateCommandOutcome {
  /** The report folder, or undefined when the run was declined or interrupted. */
  readonly out?: string
  /** Whether the run was stopped (Ctrl-C or `io.signal`) before it finished. */
  readonly interrupted?: boolean
  /** Whether a finished run could estimate the RATE effect (false: too few labelled, scored answers). */
  readonly estimated?: boolean
}

/**
 * `bonbon audit rate`: reads answers (the store or a JSONL file), plans and confirms the paid
 * calls, runs the audit with a progress bar, writes report.json, report.md, report.html and
 * items.jsonl, and prints the estimates and warnings.
 * @throws InvalidOptionsError for a bad configuration, source, attribute or a missing --yes.
 */
export async function runAuditRateCommand(options: AuditRateCommandOptions, io: AuditCommandIo = {}): Promise<AuditRateCommandOutcome> {
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  const env = io.env ?? process.env
  const config = parseConfig(applyEnv(await loadConfigFile(options.config), env))
  const audit = config.audit ?? auditSchema.parse({})
  if (config.reward.kind === 'replay') {
    throw new InvalidOptionsError(
      'The reward model is a replay pool, which can score only recorded answers, never rewrites: audit a live reward model.',
      { key: 'reward' },
    )
  }
  // Before any paid call: a report folder that cannot be made would fail only after all of them.
  if (options.out !== undefined && statSync(options.out, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new InvalidOptionsError(`--out ${options.out} is a file; the reports need a folder.`, { key: 'out' })
  }
  const storePath = options.store ?? (config.log.kind === 'sqlite' && config.log.path !== ':memory:' ? config.log.path : undefined)
  const { source, label } = await readSource(options, storePath)
  if (source.items.length === 0) throw new InvalidOptionsError(`No answers to audit in ${label}.`, { key: 'source' })
  const attribute = resolveRateAttribute({
    name: options.attribute,
    attributes: audit.attributes,
    threshold: options.threshold,
    responses: source.items.map((item) => item.response),
  })
  const rewriter = resolveAuditRewriter({ config, model: options.model, items: source.items, apiKey: env['BONBON_AUDIT_API_KEY'] })
  const cache = openCache(storePath, stderr)
  const interrupt = new AbortController()
  const onSigint = () => interrupt.abort(new Error('interrupted'))
  const signal = io.signal === undefined ? interrupt.signal : AbortSignal.any([io.signal, interrupt.signal])
  try {
    const rateAudit = createRateAudit({
      items: source.items,
      attribute,
      rewriter,
      rewardModel: createRewardModel(config.reward, { fetch: io.fetch }),
      cache: cache.cache,
      fetch: io.fetch,
      concurrency: audit.concurrency,
      maxRetries: audit.maxRetries,
    })
    const plan = await rateAudit.plan()
    const skipped = source.skipped > 0 ? ` (${source.skipped} records without a chosen answer skipped)` : ''
    stderr.write(`Source: ${label}, ${source.items.length} answers${skipped}; W = ${describeW(attribute)}\n`)
    stderr.write(`${formatRateAuditPlan(plan, rewriter.model)}\n`)
    const proceed = await confirmAudit({ calls: plan.toMake, yes: options.yes, input: io.stdin ?? process.stdin, output: stderr })
    if (!proceed) {
      stderr.write('Nothing was called.\n')
      return {}
    }
    process.once('SIGINT', onSigint)
    const progress = createRateAuditProgress(stderr, plan.items)
    let result: RateAuditResult
    try {
      result = await rateAudit.run({ signal, onProgress: (update) => progress.update(update) })
    } catch (error) {
      if (!signal.aborted) throw error
      stderr.write('\nInterrupted: the calls answered so far are cached; run the same command again to resume.\n')
      return { interrupted: true }
    } finally {
      progress.stop()
    }
    const out = options.out ?? `rate-${attribute.name}-${timestamp((io.now ?? (() => new Date()))())}`
    const written = await writeRateAuditReports({ dir: out, result, attribute, source: label })
    stderr.write(`${formatRateAuditCalls(result, plan)}\n`)
    if (result.unlabelled > 0) {
      stderr.write(`${result.unlabelled} of ${result.items.length} answers left out: the classifier could not decide their W.\n`)
    }
    if (result.failures.length > 0) stderr.write(`First failures:\n${result.failures.map((line) => `  ${line}`).join('\n')}\n`)
    stdout.write(`${rateReportHighlights(written.markdown)}\n\nReports written to ${out}/: report.json, report.md, report.html, items.jsonl\n`)
    const estimated = result.report.rate.ate.estimate !== null
    if (!estimated) {
      stderr.write(
        `No RATE estimate: it needs answers with W = 1 and with W = 0 whose rewrites were scored (here ${result.report.n1} and ${result.report.n0}).\n`,
      )
    }
    return { out, estimated }
  } finally {
    process.removeListener('SIGINT', onSigint)
    cache.close()
  }
}

/** `bonbon audit rate`: measure what the reward model rewards, with RATE (rewrites of rewrites). */
export function registerAuditCommand(program: Command, io: AuditCommandIo = {}): void {
  const auditCommand = program.command('audit').description('audit the reward model')
  auditCommand
    .command('rate')
    .description('estimate the effect of an attribute on reward with RATE (rewrites of rewrites), against naive estimates')
    .requiredOption('-c, --config <file>', 'gateway configuration: reward model, upstream or audit.rewriter, log')
    .requiredOption('-a, --attribute <name>', 'the attribute W: length, or a name from audit.attributes')
    .option('--source <file.jsonl>', 'answers to audit: {"prompt","response"} lines or `bonbon export --format jsonl` (default: the store)')
    .option('--limit <n>', 'audit at most this many answers', parsePositiveInteger)
    .option('-o, --out <dir>', 'report folder (default: ./rate-<attribute>-<timestamp>)')
    .option('-y, --yes', 'make the paid calls without asking', false)
    .option('--store <path>', 'SQLite store: the default source and the cache of paid calls (default: the log of --config)')
    .option('--threshold <chars>', 'length: W = 1 above this many characters (default: the median of the source)', parseThreshold)
    .option('--model <name>', 'rewriter model (default: audit.rewriter.model, else the first logged record\'s model)')
    .addHelpText(
      'after',
      [
        '',
        'Paid calls (rewrites, labels) are cached in the store by content, so an interrupted audit resumes',
        'where it stopped. The rewriter is audit.rewriter, else the gateway\'s upstream called directly; the',
        'environment variable BONBON_AUDIT_API_KEY overrides its key. Reports: report.json, report.md,',
        'report.html (offline) and items.jsonl (every rewrite, label and reward).',
      ].join('\n'),
    )
    .action(async (options: AuditRateCommandOptions) => {
      const outcome = await runAuditRateCommand(options, io)
      // 128 + SIGINT, as shells report a command stopped by Ctrl-C.
      if (outcome.interrupted === true) process.exitCode = 130
      // A run that paid for calls and could estimate nothing has failed, whatever it wrote.
      else if (outcome.estimated === false) process.exitCode = 1
    })
}

async function readSource(options: AuditRateCommandOptions, storePath: string | undefined): Promise<{ source: RateAuditSource; label: string }> {
  const limit = options.limit ?? Infinity
  if (options.source !== undefined) {
    let text: string
    try {
      text = await readFile(options.source, 'utf8')
    } catch (error) {
      throw new InvalidOptionsError(`Cannot read ${options.source}: ${(error as Error).message}`, { key: 'source' })
    }
    return { source: parseRateAuditSource(text, basename(options.source), limit), label: options.source }
  }
  if (storePath === undefined) {
    throw new InvalidOptionsError('The configuration keeps no SQLite log: pass --store <path> or --source <file.jsonl>.', { key: 'log' })
  }
  const store = openSqliteStore(storePath)
  try {
    return { source: rateAuditItemsFromRecords(store.readRecords(), limit), label: storePath }
  } finally {
    store.close()
  }
}

function openCache(storePath: string | undefined, stderr: NodeJS.WritableStream): { cache: AuditCache; close(): void } {
  if (storePath !== undefined) {
    const cache = openSqliteAuditCache(storePath)
    return { cache, close: () => cache.close() }
  }
  stderr.write('No store: paid calls are cached for this run only (pass --store <path> to resume an interrupted audit).\n')
  return { cache: createMemoryAuditCache(), close: () => undefined }
}

function describeW(attribute: RateAttribute): string {
  return `${describeRateAttribute(attribute)}, labelled by ${attribute.kind === 'length' ? 'counting characters' : 'the rewriter model'}`
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-')
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number ≥ 1')
  return Number(value)
}

function parseThreshold(value: string): number {
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError('must be a number of characters ≥ 0')
  return number
}

