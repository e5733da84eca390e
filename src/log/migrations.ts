/**
 * One step of the preference-log schema. The SQL is plain SQLite that Cloudflare D1 also accepts:
 * no PRAGMA and no BEGIN/COMMIT, which D1 refuses; the runner supplies the transaction.
 */
export interface Migration {
  /** Position in the sequence, from 1; a database records the versions it has applied. */
  readonly version: number
  /** File name under `migrations/` at the package root, which holds the same SQL byte for byte. */
  readonly file: string
  /** The statements of this step. */
  readonly sql: string
}

// Embedded rather than read from migrations/ so bundles (Workers, single-file builds) need no file
// access; test/log/migrations.test.ts fails when the two copies differ.
const init = `
-- bonbon preference log, schema 1: one row per request, one row per candidate.
-- Plain SQLite: applied by bonbon's node:sqlite store and, unchanged, by "wrangler d1 migrations apply".
-- Nullable columns mean "not known"; bonbon never writes 0 for a value it does not have.

CREATE TABLE IF NOT EXISTS requests (
  request_id TEXT PRIMARY KEY NOT NULL,
  created_at TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  n INTEGER NOT NULL,
  fanout TEXT NOT NULL,
  reward_model TEXT NOT NULL,
  chosen INTEGER,
  best INTEGER,
  worst INTEGER,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  latency_ms REAL NOT NULL,
  degraded TEXT,
  messages_json TEXT NOT NULL,
  params_json TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS candidates (
  request_id TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  text TEXT NOT NULL,
  reward REAL,
  finish_reason TEXT,
  completion_tokens INTEGER,
  logprob_sum REAL,
  latency_ms REAL NOT NULL,
  error TEXT,
  PRIMARY KEY (request_id, idx)
);

CREATE INDEX IF NOT EXISTS requests_created_at ON requests (created_at);
CREATE INDEX IF NOT EXISTS requests_model ON requests (model);
`

const auditCache = `
-- bonbon preference log, schema 2: the RATE audit cache, so an interrupted audit resumes without
-- paying twice for a rewrite or a label. Content-addressed: key = SHA-256 (hex) of everything that
-- determines the output (call kind, model, prompt, text, target, template version).

CREATE TABLE IF NOT EXISTS audit_cache (
  key TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  model TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`

/** Every migration of the preference log, in the order they apply. */
export const migrations: readonly Migration[] = [
  { version: 1, file: '0001_init.sql', sql: init.slice(1) },
  { version: 2, file: '0002_audit_cache.sql', sql: auditCache.slice(1) },
]
