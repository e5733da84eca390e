/**
 * Whether two byte arrays are equal, in a time that depends only on their lengths: every byte is
 * compared, with no early exit, so the time taken tells an attacker nothing about where they differ.
 * Callers compare SHA-256 digests, whose lengths are public.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return difference === 0
}
