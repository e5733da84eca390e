/** Cuts SQL text, fed in chunks of any size, into complete statements. */
export interface SqlStatementSplitter {
  /** Adds text; returns the statements it completed, each with its `;`, trimmed. */
  push(text: string): string[]
  /** Ends the input; returns what followed the last `;` when it holds more than whitespace and comments. */
  end(): string | undefined
}

type State = 'code' | 'single' | 'double' | 'backtick' | 'bracket' | 'line-comment' | 'block-comment'

const closers: Partial<Record<State, string>> = { single: "'", double: '"', backtick: '`', bracket: ']' }
const openers: Readonly<Record<string, State>> = { "'": 'single', '"': 'double', '`': 'backtick', '[': 'bracket' }

interface Scan {
  readonly statements: string[]
  /** The text after the last complete statement. */
  readonly rest: string
  /** Whether `rest` holds anything besides whitespace and comments. */
  readonly restIsMeaningful: boolean
}

/**
 * Splits text that starts at a statement boundary. A `;` ends a statement only outside string
 * literals, quoted identifiers and comments; a doubled quote (`''`) needs no rule of its own, since
 * it closes the literal and opens it again.
 */
function scan(input: string): Scan {
  const statements: string[] = []
  let state: State = 'code'
  let meaningful = false
  let start = 0
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i] as string
    const closer = closers[state]
    if (closer !== undefined) {
      if (char === closer) state = 'code'
    } else if (state === 'line-comment') {
      if (char === '\n') state = 'code'
    } else if (state === 'block-comment') {
      if (char === '*' && input[i + 1] === '/') {
        state = 'code'
        i += 1
      }
    } else if (char === '-' && input[i + 1] === '-') {
      state = 'line-comment'
      i += 1
    } else if (char === '/' && input[i + 1] === '*') {
      state = 'block-comment'
      i += 1
    } else if (char === ';') {
      if (meaningful) statements.push(input.slice(start, i + 1).trim())
      meaningful = false
      start = i + 1
    } else {
      if (char in openers) state = openers[char] as State
      if (char.trim() !== '') meaningful = true
    }
  }
  return { statements, rest: input.slice(start), restIsMeaningful: meaningful }
}

/**
 * Creates a splitter for SQLite dumps (`wrangler d1 export`, `sqlite3 .dump`), so a dump can be
 * loaded statement by statement without holding the file in memory. Chunks may be cut anywhere,
 * even inside a token or a `--`: the unfinished statement is kept and scanned again, from its start
 * (always outside any token), with the next chunk.
 */
export function createSqlStatementSplitter(): SqlStatementSplitter {
  let pending = ''
  return {
    push(text) {
      const result = scan(pending + text)
      pending = result.rest
      return result.statements
    },
    end() {
      // push() has taken every complete statement: what is left can only be an unterminated one.
      const result = scan(pending)
      pending = ''
      return result.restIsMeaningful ? result.rest.trim() : undefined
    },
  }
}
