/** Scheme and authority of any http(s) URL in a message, plain or percent-encoded. */
const urlOrigin = /\bhttps?:\/\/[^\s/"'<>)\]]+|\bhttps?%3A%2F%2F(?:(?!%2F)[^\s/"'<>)\]])+/gi
/** Socket addresses as Node's network errors print them (`ECONNREFUSED 10.0.0.5:8000`, `[::1]:8000`). */
const socketAddress = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?/gi
/** A host name with a port (`localhost:8000`, `vllm.internal:8000`). */
const hostWithPort = /\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*:\d{2,5}\b/gi
/** The host name of a failed DNS lookup (`getaddrinfo ENOTFOUND vllm.internal`). */
const unresolvedHost = /\b(ENOTFOUND|EAI_AGAIN) [^\s,;)]+/g
/** Credentials an upstream may echo back (`Authorization: Bearer …`, `sk-…` keys). */
const credential = /\b(Bearer|Basic)\s+[^\s"',;]+|\bsk-[A-Za-z0-9_-]{8,}/g
/** Longest message a client is shown; the full one stays in the server's log. */
const messageLimit = 300

/**
 * A message fit for clients: internal URLs' origins, socket addresses and host:port pairs
 * (upstream, reward model) become `<internal>`, echoed credentials `[redacted]`, and only the first
 * line is kept, cut at 300 characters, so an upstream's stack trace or page of HTML stays in the
 * server's own log. Clients learn what failed without learning the gateway's network layout.
 */
export function publicMessage(message: string): string {
  const firstLine = message.trim().split(/\r\n|\r|\n/, 1)[0] ?? ''
  const masked = firstLine
    .replace(credential, (match, scheme: string | undefined) => (scheme === undefined ? '[redacted]' : `${scheme} [redacted]`))
    .replace(urlOrigin, '<internal>')
    .replace(socketAddress, '<internal>')
    .replace(hostWithPort, '<internal>')
    .replace(unresolvedHost, '$1 <internal>')
  const chars = [...masked]
  return chars.length <= messageLimit ? masked : `${chars.slice(0, messageLimit).join('')}…`
}
