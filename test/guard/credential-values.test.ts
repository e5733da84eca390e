import { describe, expect, it } from 'vitest'
import { credentialValues } from '../../src/guard/credential-values.js'

describe('credentialValues', () => {
  it('takes the API key and the values of headers named like credentials, without their scheme', () => {
    expect(
      credentialValues('sk-main-key', {
        'api-key': 'azure-key-1',
        'X-Api-Key': 'other-key-2',
        Authorization: 'Bearer token-3',
        'Ocp-Apim-Subscription-Key': 'apim-key-4',
        'X-Custom-Auth': 'custom-5',
        'x-team': 'search',
        'content-type': 'application/json',
      }),
    ).toEqual(['azure-key-1', 'other-key-2', 'token-3', 'apim-key-4', 'custom-5', 'sk-main-key'])
  })

  it('ignores values too short to scrub without garbling messages', () => {
    expect(credentialValues(undefined, { 'x-token': 'ab' })).toEqual([])
  })
})
