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
