/** Scheme and authority of any http(s) URL in a message. */
const urlOrigin = /\bhttps?:\/\/[^\s/"'<>)\]]+/gi
/** Socket addresses as Node's network errors print them (`ECONNREFUSED 10.0.0.5:8000`, `[::1]:8000`). */
const socketAddress = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?/gi
/** The host name of a failed DNS lookup (`getaddrinfo ENOTFOUND vllm.internal`). */
const unresolvedHost = /\b(ENOTFOUND|EAI_AGAIN) [^\s,;)]+/g

/**
 * A message fit for clients: internal URLs' origins and socket addresses (upstream, reward model)
 * become `<internal>`, so clients learn what failed without learning the gateway's network layout.
 * The full message stays in the server's own log.
 */
export function publicMessage(message: string): string {
  return message
    .replace(urlOrigin, '<internal>')
    .replace(socketAddress, '<internal>')
    .replace(unresolvedHost, '$1 <internal>')
}
