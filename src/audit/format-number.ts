/**
 * Formats a reward-scale number for people: 4 significant digits, exponent form for very small or
 * very large magnitudes (reward models range from ArmoRM's ±0.03 to logits in the tens), and an
 * em dash for a value that could not be computed.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(2)
  return value.toPrecision(4)
}

/** Formats an interval as `[low, high]`, or an em dash when there is none. */
export function formatInterval(interval: readonly [number, number] | null): string {
  return interval === null ? '—' : `[${formatNumber(interval[0])}, ${formatNumber(interval[1])}]`
}

/**
 * Formats a share in [0, 1] as a whole percentage, rounded down so that a share just under a
 * threshold never prints as the threshold itself ("only 95%" for 0.949 would read as passing).
 */
export function formatPercent(share: number): string {
  return `${Math.floor(share * 100 + 1e-9)}%`
}
