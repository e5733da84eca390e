import { describe, expect, it } from 'vitest'
import { AuthenticationError, InvalidOptionsError } from '../../src/errors.js'
import { createApiKeyVerifier } from '../../src/guard/api-key-verifier.js'
import { constantTimeEqual } from '../../src/guard/constant-time-equal.js'

const keys = ['key-one-0123456789abcdef', 'key-two-0123456789abcdef']

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

describe('createApiKeyVerifier', () => {
  it('identifies the client by the position of its key', async () => {
    const verifier = createApiKeyVerifier(keys)
    expect(await verifier.verify(`Bearer ${keys[1]}`)).toBe(1)
    expect(await verifier.verify(`bearer   ${keys[0]}  `)).toBe(0)
  })

  it('refuses a missing, malformed or unknown key without repeating it', async () => {
    const verifier = createApiKeyVerifier(keys)
    for (const header of [undefined, null, '', 'Bearer', `Basic ${keys[0]}`, keys[0], 'Bearer key-one-0123456789abcdeX', `Bearer ${keys[0]}x`]) {
      const error = await rejection(verifier.verify(header))
      expect(AuthenticationError.isInstance(error), String(header)).toBe(true)
      expect((error as Error).message).not.toContain('0123456789')
    }
  })

  it('refuses an empty key list or an empty key at construction', () => {
    expect(() => createApiKeyVerifier([])).toThrow(InvalidOptionsError)
    expect(() => createApiKeyVerifier(['a-real-key-0123456789', ''])).toThrow(/empty key/)
  })
})

describe('constantTimeEqual', () => {
  it('compares every byte, and lengths', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true)
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([0, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true)
  })
})
