/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number

/**
 * A seeded PRNG (mulberry32): the same seed gives the same sequence on every runtime. Not for
 * cryptography; it only has to make replayed draws reproducible.
 * @param seed Any integer; seeds beyond 32 bits are folded in rather than truncated, so that OpenAI's
 * 64-bit `seed` values stay distinct.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = foldSeed(seed)
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A fresh 32-bit seed from the Web Crypto API (available on Node, workerd and browsers). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0
}

/**
 * Draws `k` distinct items uniformly at random (a partial Fisher–Yates shuffle), in draw order.
 * @throws RangeError when `k` is not an integer in [0, items.length].
 */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, random: RandomSource): T[] {
  if (!Number.isInteger(k) || k < 0 || k > items.length) {
    throw new RangeError(`Cannot draw ${k} of ${items.length} items without replacement.`)
  }
  const pool = items.slice()
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i))
    const picked = pool[j] as T
    pool[j] = pool[i] as T
    pool[i] = picked
  }
  return pool.slice(0, k)
}

function foldSeed(seed: number): number {
  if (!Number.isFinite(seed)) return 0
  const whole = Math.trunc(seed)
  const low = whole >>> 0
  const high = Math.floor(whole / 4_294_967_296) >>> 0
  return (low ^ Math.imul(high, 0x9e3779b9)) >>> 0
}
