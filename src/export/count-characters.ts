/**
 * Length of a text in Unicode code points, the unit of "characters" in length-drift statistics
 * (UTF-16 `length` would count an emoji or a rare CJK character twice).
 */
export function countCharacters(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    // A low surrogate after a high one completes a code point already counted.
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const previous = text.charCodeAt(i - 1)
      if (previous >= 0xd800 && previous <= 0xdbff) continue
    }
    count += 1
  }
  return count
}
