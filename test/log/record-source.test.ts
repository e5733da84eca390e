import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BonbonError, InvalidOptionsError } from '../../src/errors.js'
import { openRecordSource, recordSourceKind } from '../../src/log/record-source.node.js'
import { createSqliteSink } from '../../src/log/sqlite-sink.node.js'
import { makeRecord } from './preference-record-fixture.js'

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'bonbon-record-source-'))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

async function file(name: string, text: string): Promise<string> {
  const path = join(folder, name)
  await writeFile(path, text)
  return path
}

function readAll(path: string, filter?: Parameters<ReturnType<typeof openRecordSource>['readRecords']>[0]) {
  const store = openRecordSource(path)
  try {
    return [...store.readRecords(filter)]
  } finally {
    store.close()
  }
}

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('nothing was thrown')
}

const first = makeRecord({ requestId: 'r1', createdAt: '2025-03-01T12:00:00.000Z' })
const second = makeRecord({ requestId: 'r2', createdAt: '2025-03-02T12:00:00.000Z', model: 'other', n: 8 })

describe('openRecordSource on JSONL records', () => {
  it('reads the records of a jsonl export back as they were written, in time order', async () => {
    const path = await file('records.jsonl', `${JSON.stringify(second)}\r\n\n${JSON.stringify(first)}\n`)
    expect(readAll(path)).toEqual([first, second])
  })

  it('filters like any store', async () => {
    const path = await file('records.jsonl', [first, second].map((record) => JSON.stringify(record)).join('\n'))
    expect(readAll(path, { model: 'other' }).map((record) => record.requestId)).toEqual(['r2'])
    expect(readAll(path, { since: '2025-03-02T00:00:00.000Z' }).map((record) => record.requestId)).toEqual(['r2'])
  })

  it('keeps a record delivered twice once', async () => {
    const path = await file('records.ndjson', [first, first, second].map((record) => JSON.stringify(record)).join('\n'))
    expect(readAll(path).map((record) => record.requestId)).toEqual(['r1', 'r2'])
  })

  it('names the line that is not JSON', async () => {
    const path = await file('records.jsonl', `${JSON.stringify(first)}\n{"requestId": \n`)
    expect(() => openRecordSource(path)).toThrow(`${path} line 2 is not JSON`)
  })

  it('names the line and the field of a line that is not a record', async () => {
    const path = await file('records.jsonl', JSON.stringify({ ...first, n: 0 }))
    const error = thrown(() => openRecordSource(path))
    expect(BonbonError.isInstance(error) && error.code).toBe('invalid_record')
    expect((error as Error).message).toBe(`${path} line 1 is not a preference record: n: Too small: expected number to be >=1`)
  })
})

// The shape `wrangler d1 export` writes: schema, INSERTs with newlines encoded by replace(), D1's
// own bookkeeping tables.
const schema = `CREATE TABLE d1_migrations(
\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,
\t\tname       TEXT UNIQUE,
\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);
CREATE TABLE requests (
  request_id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, endpoint TEXT NOT NULL, model TEXT NOT NULL,
  n INTEGER NOT NULL, fanout TEXT NOT NULL, reward_model TEXT NOT NULL, chosen INTEGER, best INTEGER, worst INTEGER,
  prompt_tokens INTEGER, completion_tokens INTEGER, latency_ms REAL NOT NULL, degraded TEXT,
  messages_json TEXT NOT NULL, params_json TEXT NOT NULL
);
CREATE TABLE candidates (
  request_id TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE, idx INTEGER NOT NULL,
  text TEXT NOT NULL, reward REAL, finish_reason TEXT, completion_tokens INTEGER, logprob_sum REAL,
  latency_ms REAL NOT NULL, error TEXT, PRIMARY KEY (request_id, idx)
);`
const data = `INSERT INTO "d1_migrations" VALUES(1,'0001_init.sql','2026-12-03 19:46:13');
INSERT INTO "requests" VALUES('r1','2025-03-01T12:00:00.000Z','chat','m',2,'native','rm',0,0,1,3,NULL,12.5,NULL,'[{"role":"user","content":"Say; hi"}]','{"seed":7}');
INSERT INTO "candidates" VALUES('r1',0,replace('it''s; a "quote"\\nsecond line','\\n',char(10)),1.25,'stop',2,NULL,10.0,NULL);
INSERT INTO "candidates" VALUES('r1',1,'',NULL,NULL,NULL,NULL,3.0,'upstream answered 500');
DELETE FROM sqlite_sequence;
INSERT INTO "sqlite_sequence" VALUES('d1_migrations',1);`

const exported = {
  requestId: 'r1',
  createdAt: '2025-03-01T12:00:00.000Z',
  endpoint: 'chat',
  model: 'm',
  messages: [{ role: 'user', content: 'Say; hi' }],
  params: { seed: 7 },
  n: 2,
  fanout: 'native',
  rewardModel: 'rm',
  candidates: [
    { index: 0, text: `it's; a "quote"\nsecond line`, reward: 1.25, finishReason: 'stop', completionTokens: 2, logprobSum: null, latencyMs: 10, error: null },
    { index: 1, text: '', reward: null, finishReason: null, completionTokens: null, logprobSum: null, latencyMs: 3, error: 'upstream answered 500' },
  ],
  chosen: 0,
  best: 0,
  worst: 1,
  promptTokens: 3,
  completionTokens: null,
  latencyMs: 12.5,
  degraded: null,
}

describe('openRecordSource on a D1 export', () => {
  it('loads the SQL of `wrangler d1 export` and reads the records', async () => {
    const path = await file('bonbon.sql', `PRAGMA defer_foreign_keys=TRUE;\n${schema}\n${data}\nCREATE INDEX requests_model ON requests (model);\n`)
    expect(readAll(path)).toEqual([exported])
  })

  it('loads an export made with --no-schema', async () => {
    const path = await file('data-only.sql', `PRAGMA defer_foreign_keys=TRUE;\n${data}\n`)
    expect(readAll(path)).toEqual([exported])
  })

  it('names the statement that fails', async () => {
    const path = await file('broken.sql', `${schema}\nINSERT INTO "requests" VALUES('too few');\n`)
    const error = thrown(() => openRecordSource(path))
    expect(BonbonError.isInstance(error) && error.code).toBe('invalid_source')
    expect((error as Error).message).toMatch(/broken\.sql, statement 4 \(INSERT INTO "requests" VALUES\('too few'\);\): .*values/)
  })
})

describe('openRecordSource', () => {
  it('tells the kinds apart by extension', () => {
    expect(['log.sql', 'r.JSONL', 'r.ndjson', 'bonbon.db'].map(recordSourceKind)).toEqual(['d1-export', 'jsonl', 'jsonl', 'sqlite'])
  })

  it('opens a SQLite store as it is', async () => {
    const path = join(folder, 'bonbon.db')
    const sink = createSqliteSink({ path })
    await sink.write(first)
    await sink.close()
    expect(readAll(path)).toEqual([first])
  })

  it('refuses a file that does not exist', () => {
    expect(() => openRecordSource(join(folder, 'missing.sql'))).toThrow(InvalidOptionsError)
    expect(() => openRecordSource(join(folder, 'missing.jsonl'))).toThrow(/No preference log at/)
  })
})
