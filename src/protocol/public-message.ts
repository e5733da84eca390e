import { redactSecrets } from '../guard/redact.js'

/** Scheme and authority of any http(s) URL in a message, plain or percent-encoded, IPv6 included. */
const urlOrigin = /\bhttps?:\/\/(?:\[[^\]\s]*\]|[^\s/"'<>)\]\[])+|\bhttps?%3A%2F%2F(?:(?!%2F)[^\s/"'<>)\]])+/gi
/** IPv4 socket addresses as Node's network errors print them (`ECONNREFUSED 10.0.0.5:8000`). */
const ipv4Address = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g
/** IPv6 addresses, bracketed (`[::1]:8000`) or bare with a `::` or eight groups (`fd00:beef::17`). */
const ipv6Address =
  /\[[0-9a-f:.]+\](?::\d+)?|(?<![\w:])(?=[0-9a-f:]*::)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::\d+)?(?![\w:])|(?<![\w:])[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}(?![\w:])/gi
/**
 * Host names (`vllm-0.gpu.internal`, `localhost:8000`), with their port: a dotted name whose last
 * label is letters, as a domain's is, so model names (`gpt-3.5-turbo`) and times (`12:30`) stay.
 */
const hostName = /(?<![\w.-])(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?::\d{1,5})?(?![\w-])/gi
/** Longest message a client is shown; the full one stays in the server's log. */
const messageLimit = 300

/**
 * A message fit for clients: internal URLs' origins, IP addresses and host names (upstream, reward
 * model) become `<internal>`, anything shaped like a credential `[secret]`, and only the first line
 * is kept, cut at 300 characters, so an upstream's stack trace or page of HTML stays in the server's
 * own log. Clients learn what failed without learning the gateway's network layout or keys.
 */
export function publicMessage(message: string): string {
  const firstLine = message.trim().split(/\r\n|\r|\n/, 1)[0] ?? ''
  const masked = redactSecrets(firstLine)
    .replace(urlOrigin, '<internal>')
    .replace(ipv4Address, '<internal>')
    .replace(ipv6Address, '<internal>')
    .replace(hostName, '<internal>')
  const chars = [...masked]
  return chars.length <= messageLimit ? masked : `${chars.slice(0, messageLimit).join('')}…`
}
