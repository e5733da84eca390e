/**
 * Which model rewrites and labels answers in an audit: `audit.rewriter` when configured, else the
 * gateway's own `openai` upstream called directly, bypassing best-of-n (a best-of-n rewrite would
 * be chosen by the very reward model under audit).
 * @module
 */
import type { BonbonConfig } from '../config/config-schema.js'
import { InvalidOptionsError } from '../errors.js'
import type { AuditRewriterConfig } from './audit-chat-client.js'
import type { RateAuditItem } from './rate-audit-source.js'

/** What {@link resolveAuditRewriter} needs. */
export interface ResolveAuditRewriterOptions {
  /** The parsed configuration. */
  readonly config: BonbonConfig
  /** `--model`: overrides the configured or inferred model. */
  readonly model?: string | undefined
  /** The audited items; the first one's logged model is the default on the upstream. */
  readonly items: readonly RateAuditItem[]
  /** An API key from the environment (`BONBON_AUDIT_API_KEY`), which overrides the configured one. */
  readonly apiKey?: string | undefined
}

/**
 * Resolves the rewriter.
 * @throws InvalidOptionsError when there is none: no `audit.rewriter` and a replay upstream, or no
 * model to call on the upstream.
 */
export function resolveAuditRewriter(options: ResolveAuditRewriterOptions): AuditRewriterConfig {
  const { config, model } = options
  const envKey = options.apiKey === '' ? undefined : options.apiKey
  const rewriter = config.audit?.rewriter
  if (rewriter !== undefined) {
    return { baseURL: rewriter.baseURL, model: model ?? rewriter.model, apiKey: envKey ?? rewriter.apiKey }
  }
  const { upstream } = config
  if (upstream?.kind !== 'openai') {
    const why = upstream === undefined ? 'the configuration has no upstream' : 'the upstream is a replay pool'
    throw new InvalidOptionsError(
      `No rewriter: ${why}. Set audit.rewriter ({"baseURL", "model", "apiKey"}) in the configuration.`,
      { key: 'audit.rewriter' },
    )
  }
  const inferred = model ?? options.items.find((item) => item.model !== undefined && item.model !== '')?.model
  if (inferred === undefined) {
    throw new InvalidOptionsError(
      `No rewriter model: pass --model <name> (the rewriter is the upstream ${upstream.baseURL}) or set audit.rewriter.`,
      { key: 'model' },
    )
  }
  return { baseURL: upstream.baseURL, model: inferred, apiKey: envKey ?? upstream.apiKey, headers: upstream.headers }
}
