import { z } from 'zod'

/**
 * An http(s) URL without credentials: a password in a URL would be printed in the start-up banner
 * and repeated in every error about the server; keys belong in `apiKey` or the environment.
 */
export const url = z
  .url({
    protocol: /^https?$/,
    error: (issue) => (issue.input === undefined ? 'required' : 'must be an http(s) URL'),
  })
  .refine((value) => {
    // URL.canParse: zod runs refinements even after the URL check failed.
    if (!URL.canParse(value)) return true
    const parsed = new URL(value)
    return parsed.username === '' && parsed.password === ''
  }, 'must not contain credentials; put the key in apiKey or a BONBON_* environment variable')
/** Extra HTTP headers, name to value. */
export const headers = z.record(z.string(), z.string())
