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
