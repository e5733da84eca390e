/**
 * A hash function over bytes, SHA-256 or as good. It may answer synchronously (`node:crypto`'s
 * `createHash`, several times faster per call) or with a promise (Web Crypto).
 */
export type Digest = (data: Uint8Array<ArrayBuffer>) => Uint8Array | ArrayBuffer | Promise<Uint8Array | ArrayBuffer>

/** SHA-256 through the Web Crypto API, available on Node, workerd and browsers. */
export const webCryptoSha256: Digest = (data) => crypto.subtle.digest('SHA-256', data)

/** The first 64 bits of a digest, as two unsigned 32-bit halves (big-endian). */
export interface TextFingerprint {
  /** Bits 0–31 of the digest. */
  readonly high: number
  /** Bits 32–63 of the digest. */
  readonly low: number
}

const encoder = new TextEncoder()

/**
 * Fingerprints a text with the first 64 bits of its digest. 64 bits keep the chance of any collision
 * among a million texts below 3·10⁻⁸ while costing 8 bytes each.
 * @throws RangeError when the digest is shorter than 8 bytes.
 */
export async function fingerprintText(text: string, digest: Digest = webCryptoSha256): Promise<TextFingerprint> {
  const result = await digest(encoder.encode(text))
  const bytes = result instanceof Uint8Array ? result : new Uint8Array(result)
  if (bytes.byteLength < 8) throw new RangeError(`A digest of ${bytes.byteLength} bytes is too short for a fingerprint.`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8)
  return { high: view.getUint32(0), low: view.getUint32(4) }
}

/** Maps a fingerprint to [0, 1), uniformly for a good digest: the coordinate a split threshold cuts. */
export function fingerprintFraction(fingerprint: TextFingerprint): number {
  return (fingerprint.high + fingerprint.low / 4_294_967_296) / 4_294_967_296
}
