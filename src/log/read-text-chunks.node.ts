import { closeSync, openSync, readSync } from 'node:fs'

/**
 * Reads a UTF-8 file synchronously, chunk by chunk, so a large export is never held whole in memory.
 * A character cut between two reads is decoded whole in the later chunk.
 * @param chunkBytes Bytes read at a time. @default 1048576
 */
export function* readTextChunks(path: string, chunkBytes = 1 << 20): Generator<string, void, undefined> {
  const fd = openSync(path, 'r')
  try {
    const buffer = new Uint8Array(chunkBytes)
    const decoder = new TextDecoder('utf-8', { fatal: true })
    for (;;) {
      const read = readSync(fd, buffer, 0, chunkBytes, null)
      if (read === 0) break
      const text = decoder.decode(buffer.subarray(0, read), { stream: true })
      if (text !== '') yield text
    }
    const rest = decoder.decode()
    if (rest !== '') yield rest
  } finally {
    closeSync(fd)
  }
}

/** The lines of a UTF-8 file (LF or CRLF), read chunk by chunk, with their 1-based numbers. */
export function* readLines(path: string): Generator<{ readonly text: string; readonly number: number }, void, undefined> {
  let carry = ''
  let number = 0
  for (const chunk of readTextChunks(path)) {
    const parts = (carry + chunk).split('\n')
    carry = parts.pop() ?? ''
    for (const part of parts) yield { text: part.endsWith('\r') ? part.slice(0, -1) : part, number: ++number }
  }
  if (carry !== '') yield { text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, number: ++number }
}
