import type { TextFingerprint } from './text-fingerprint.js'

/** A set of 64-bit fingerprints in flat typed arrays: 8 to 16 bytes per member, outside the JS heap. */
export interface FingerprintSet {
  /** Adds a fingerprint; true when it was not yet a member. */
  add(fingerprint: TextFingerprint): boolean
  /** Whether the fingerprint is a member. */
  has(fingerprint: TextFingerprint): boolean
  /** Members so far. */
  readonly size: number
}

/** Options of {@link createFingerprintSet}. */
export interface FingerprintSetOptions {
  /** Members to make room for up front (the set grows by doubling beyond it). @default 1024 */
  readonly expectedSize?: number
}

/**
 * Creates a set of fingerprints for deduplication over millions of records: open addressing with
 * linear probing over two Uint32Arrays, kept at most half full. A Set of strings or BigInts would cost
 * 50–100 heap bytes per member; this costs 16 at worst.
 */
export function createFingerprintSet(options: FingerprintSetOptions = {}): FingerprintSet {
  let capacity = 16
  while (capacity < 2 * (options.expectedSize ?? 1024)) capacity *= 2
  let highs = new Uint32Array(capacity)
  let lows = new Uint32Array(capacity)
  let size = 0

  // (0, 0) marks an empty slot, so a fingerprint equal to it is stored as (0, 1): a 2⁻⁶⁴ collision.
  const lowOf = (fingerprint: TextFingerprint) =>
    fingerprint.high === 0 && fingerprint.low === 0 ? 1 : fingerprint.low >>> 0

  /** The slot holding the fingerprint, or the empty slot where it would go. */
  function slotOf(high: number, low: number): number {
    const mask = capacity - 1
    // The digest's bits are uniform, so the low word is already a good table index.
    let slot = low & mask
    while (highs[slot] !== 0 || lows[slot] !== 0) {
      if (highs[slot] === high && lows[slot] === low) return slot
      slot = (slot + 1) & mask
    }
    return slot
  }

  function grow(): void {
    const oldHighs = highs
    const oldLows = lows
    capacity *= 2
    highs = new Uint32Array(capacity)
    lows = new Uint32Array(capacity)
    for (let i = 0; i < oldHighs.length; i++) {
      const high = oldHighs[i] as number
      const low = oldLows[i] as number
      if (high === 0 && low === 0) continue
      const slot = slotOf(high, low)
      highs[slot] = high
      lows[slot] = low
    }
  }

  return {
    add(fingerprint) {
      const high = fingerprint.high >>> 0
      const low = lowOf(fingerprint)
      const slot = slotOf(high, low)
      if (highs[slot] !== 0 || lows[slot] !== 0) return false
      highs[slot] = high
      lows[slot] = low
      size += 1
      if (2 * size > capacity) grow()
      return true
    },
    has(fingerprint) {
      const high = fingerprint.high >>> 0
      const low = lowOf(fingerprint)
      const slot = slotOf(high, low)
      return highs[slot] !== 0 || lows[slot] !== 0
    },
    get size() {
      return size
    },
  }
}
