const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/**
 * Splits text into pieces of at most `size` user-perceived characters, so no delta ever splits a
 * character: not a surrogate pair, not a combining mark, not an emoji sequence.
 */
export function splitText(text: string, size: number): string[] {
  const pieces: string[] = []
  let piece = ''
  let count = 0
  for (const { segment } of segmenter.segment(text)) {
    piece += segment
    count += 1
    if (count === size) {
      pieces.push(piece)
      piece = ''
      count = 0
    }
  }
  if (piece !== '') pieces.push(piece)
  return pieces
}
