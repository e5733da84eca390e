/**
 * Argument checks shared by the theory functions. They throw `RangeError` (these are pure math
 * functions, usable far from any bonbon configuration), naming the function and the argument.
 * @module
 */

function formatValue(value: unknown): string {
  if (typeof value === 'number' || value === undefined || value === null) return String(value)
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`
}

/** Returns `value` when it is a safe integer ≥ `min`; throws a `RangeError` naming `where` otherwise. */
export function checkInteger(where: string, value: unknown, min: number, why = ''): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const reason = why === '' ? '' : ` (${why})`
    throw new RangeError(`${where} must be an integer ≥ ${min}${reason}; got ${formatValue(value)}.`)
  }
  return value
}

/** Returns `value` when it is a finite number in [`min`, `max`]; throws a `RangeError` naming `where` otherwise. */
export function checkFinite(where: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : max === Infinity
          ? `a finite number ≥ ${min}`
          : `a finite number in [${min}, ${max}]`
    throw new RangeError(`${where} must be ${range}; got ${formatValue(value)}.`)
  }
  return value
}
