/**
 * Header names that carry credentials: `Authorization`, Azure's `api-key` and
 * `Ocp-Apim-Subscription-Key`, `x-api-key`, `X-Custom-Auth`, tokens, signatures, cookies.
 */
const credentialHeader = /auth|key|token|secret|password|passwd|cookie|credential|signature|session/i

/**
 * The strings to scrub from anything an upstream or reward-model error keeps: the API key, and the
 * values of configured headers whose names say they carry a credential. A server that echoes a
 * credential in an error (many 401s do) then cannot leak it into answers or logs.
 */
export function credentialValues(apiKey: string | undefined, headers: Readonly<Record<string, string>> = {}): string[] {
  const values = Object.entries(headers).flatMap(([name, value]) => (credentialHeader.test(name) ? [value] : []))
  if (apiKey !== undefined) values.push(apiKey)
  // The scheme alone ("Bearer") is no secret, and scrubbing it would garble every message.
  return values.map((value) => value.replace(/^\s*(bearer|basic)\s+/i, '')).filter((value) => value.length >= 4)
}

/** Replaces every occurrence of each secret in `text` with `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('[redacted]'), text)
}
