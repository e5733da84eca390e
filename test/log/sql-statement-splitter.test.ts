import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSqlStatementSplitter } from '../../src/log/sql-statement-splitter.js'

function split(chunks: readonly string[]): string[] {
  const splitter = createSqlStatementSplitter()
  const statements = chunks.flatMap((chunk) => splitter.push(chunk))
  const rest = splitter.end()
  return rest === undefined ? statements : [...statements, rest]
}

// What `wrangler d1 export` writes, with the awkward cases: `;` and quotes inside literals, a newline
// encoded with replace(), quoted identifiers, comments.
const dump = [
  'PRAGMA defer_foreign_keys=TRUE;',
  'CREATE TABLE requests (\n  request_id TEXT PRIMARY KEY NOT NULL -- the id; unique\n);',
  `INSERT INTO "requests" VALUES('a;b','it''s ''quoted'';');`,
  `INSERT INTO "candidates" VALUES('r1',0,replace('line one;\\nline two','\\n',char(10)));`,
  '/* a block; comment */ DELETE FROM sqlite_sequence;',
  'INSERT INTO [odd;name] VALUES(`x;y`);',
]
const text = dump.join('\n')

describe('createSqlStatementSplitter', () => {
  it('cuts a dump at the semicolons outside literals, identifiers and comments', () => {
    expect(split([text])).toEqual(dump)
  })

  it('gives the same statements however the text is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), text.length]
        const chunks = points.slice(1).map((end, i) => text.slice(points[i], end))
        expect(split(chunks)).toEqual(dump)
      }),
    )
  })

  it('returns an unterminated last statement from end(), and nothing for trailing comments', () => {
    expect(split(['SELECT 1; SELECT 2'])).toEqual(['SELECT 1;', 'SELECT 2'])
    expect(split(['SELECT 1;\n-- done\n  '])).toEqual(['SELECT 1;'])
  })

  it('skips empty statements', () => {
    expect(split([';;  ; SELECT 1;'])).toEqual(['SELECT 1;'])
  })
})
