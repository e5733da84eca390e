/**
 * The content-addressed cache of a RATE audit's paid calls (rewrites and labels): an interrupted
 * audit reruns without paying twice, and a rerun on the same data is free.
 * @module
 */

/** What a cached call produced: a rewrite, or a classifier's raw answer. */
export type AuditCallKind = 'rewrite' | 'classify'

/** One cached output, with what made it (kept for people inspecting the cache). */
export interface AuditCacheEntry {
  /** The kind of call. */
  readonly kind: AuditCallKind
  /** The model that produced the output. */
  readonly model: string
  /** The output text. */
  readonly value: string
}

/** Where audit outputs are kept between runs, keyed by {@link auditCacheKey}. */
export interface AuditCache {
  /** The cached output for a key, or undefined. */
  get(key: string): Promise<string | undefined>
  /** Stores an output; a key already present keeps its first value (same inputs, same key). */
  set(key: string, entry: AuditCacheEntry): Promise<void>
}

/** Everything that decides a call's output; any change gives a different key. */
export interface AuditCacheKeyParts {
  /** The kind of call. */
  readonly kind: AuditCallKind
  /** The rewriter or classifier model. */
  readonly model: string
  /** Version of the prompt templates; bumped whenever their wording changes. */
  readonly templateVersion: string
  /** The attribute, canonically serialised (name, threshold or descriptions). */
  readonly attribute: string
  /** The W a rewrite aims at, or null for a classification. */
  readonly target: boolean | null
  /** The conversation the answer replies to, as rendered for the model. */
  readonly prompt: string
  /** The text rewritten or classified. */
  readonly text: string
}

/** SHA-256 (hex) of the key parts, as a JSON array so that no two part lists collide. */
export async function auditCacheKey(parts: AuditCacheKeyParts): Promise<string> {
  const canonical = JSON.stringify([
    parts.kind,
    parts.model,
    parts.templateVersion,
    parts.attribute,
    parts.target,
    parts.prompt,
    parts.text,
  ])
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** An in-memory {@link AuditCache}, which lasts as long as the process. */
export interface MemoryAuditCache extends AuditCache {
  /** Entries held. */
  readonly size: number
}

/** Creates an empty in-memory cache: the default when no store is given. */
export function createMemoryAuditCache(): MemoryAuditCache {
  const entries = new Map<string, AuditCacheEntry>()
  return {
    get size() {
      return entries.size
    },
    async get(key) {
      return entries.get(key)?.value
    },
    async set(key, entry) {
      if (!entries.has(key)) entries.set(key, { ...entry })
    },
  }
}
