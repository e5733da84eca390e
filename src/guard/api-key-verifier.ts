import { AuthenticationError, InvalidOptionsError } from '../errors.js'
import { constantTimeEqual } from './constant-time-equal.js'

/** Checks a request's `Authorization` header against the configured client keys. */
export interface ApiKeyVerifier {
  /**
   * Resolves to the position of the matching key in the configured list, which identifies the
   * client without holding its key.
   * @throws AuthenticationError when the header is missing, is not `Bearer`, or names no known key.
   */
  verify(authorization: string | null | undefined): Promise<number>
}

const encoder = new TextEncoder()

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
}

/**
 * A verifier for client API keys. Both the presented key and each configured key are hashed with
 * SHA-256 and compared byte by byte with no early exit, against every key: the time taken reveals
 * neither how much of a key was right nor which key matched. Error messages never repeat the key.
 * @throws InvalidOptionsError when `keys` is empty or holds an empty key.
 * @example
 * const verifier = createApiKeyVerifier(['0123456789abcdef0123'])
 * const client = await verifier.verify(request.headers.get('authorization'))
 */
export function createApiKeyVerifier(keys: readonly string[]): ApiKeyVerifier {
  if (keys.length === 0) throw new InvalidOptionsError('auth.keys must hold at least one key.', { key: 'auth.keys' })
  if (keys.some((key) => key.length === 0)) {
    throw new InvalidOptionsError('auth.keys must not hold an empty key.', { key: 'auth.keys' })
  }
  // Hashed once; a rejected digest (no crypto.subtle) surfaces on the first request as a 500.
  const digests = Promise.all(keys.map(sha256))
  return {
    async verify(authorization) {
      const token = bearerToken(authorization)
      if (token === undefined) {
        throw new AuthenticationError(
          "You didn't provide an API key. Send it in the Authorization header: 'Authorization: Bearer YOUR_KEY'.",
        )
      }
      const presented = await sha256(token)
      let match = -1
      for (const [index, digest] of (await digests).entries()) {
        const equal = constantTimeEqual(presented, digest)
        match = equal ? index : match
      }
      if (match < 0) throw new AuthenticationError('Incorrect API key provided.')
      return match
    },
  }
}

/** The credentials of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is case-insensitive). */
function bearerToken(authorization: string | null | undefined): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  return match?.[1]
}
