/**
 * Masks personal data and secrets in free text before it is stored: e-mail addresses, phone
 * numbers, card numbers (Luhn-checked) and API-key-like strings.
 *
 * Every pattern starts with a negative look-behind on its own characters, so a long run of, say,
 * letters is tried from its first character only: the cost stays linear in the text's length even
 * for a hostile megabyte (no catastrophic backtracking).
 * @module
 */

/** What a masked span is replaced with, by kind. */
export const redactionMarks = {
  email: '[email]',
  phone: '[phone]',
  card: '[card]',
  secret: '[secret]',
} as const

type Rule = readonly [pattern: RegExp, replace: (match: string, ...groups: string[]) => string]

const secret = () => redactionMarks.secret

// Prefixes that vendors put on their keys so that scanners can find them (GitHub secret scanning,
// truffleHog): OpenAI and Anthropic `sk-`, Stripe, GitHub, GitLab, Slack, AWS, Google, Hugging Face.
const prefixedKey =
  /(?<![\w-])(?:sk-[\w-]{16,}|[rs]k_(?:live|test)_[\w-]{16,}|gh[oprsu]_[\w-]{30,}|github_pat_[\w-]{30,}|glpat-[\w-]{20,}|xox[abprs]-[\w-]{10,}|A[KS]IA[\dA-Z]{16}|AIza[\w-]{35}|hf_[\w-]{30,})(?![\w-])/g
const jsonWebToken = /(?<![\w-])eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}(?![\w-])/g
// PEM bodies are base64 and line ends, never `-`: the body stops at the first dash, so a BEGIN line
// without an END line costs one pass, not one pass per BEGIN.
const privateKeyBlock = /-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*-----END [A-Z ]*PRIVATE KEY-----/g
const bearerToken = /(?<![\w-])(Bearer[ \t]+)([\w.~+/-]+=*)/gi
// `api_key = "…"`, `password: …`, `Authorization: Basic …`: the name says the value is a secret.
const secretAssignment =
  /(?<![\w-])((?:api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key|secret|password|passwd|authorization)["']?[ \t]*[:=][ \t]*["']?(?:(?:Basic|Bearer)[ \t]+)?)([^\s"',;()<>[\]{}]{6,})/gi
const email = /(?<![\w.%+-])[\w.%+-]+@(?:[\dA-Za-z](?:[\dA-Za-z-]*[\dA-Za-z])?\.)+[A-Za-z]{2,}(?![\w-])/g
const cardNumber = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![ -]?\d)/g
// Bounded in length, so a failed attempt costs a constant, whatever follows.
const phoneNumber =
  /(?<![\w+.-])(?:\+\d{1,3}(?:[ .-]?\(\d{1,5}\))?[ .-]?\d{1,14}(?:[ .-]\d{1,10}){0,5}|(?:1[ .-])?(?:\(\d{2,5}\)[ .-]?|\d{2,5}[ .-])\d{2,5}(?:[ .-]\d{2,5}){0,3})(?![ .-]?\d)/g
const longHex = /(?<![\dA-Za-z])[\dA-Fa-f]{32,}(?![\dA-Za-z])/g
const longBase64 = /(?<![\w+/=-])[\w+/-]{40,}={0,2}(?![\w+/=-])/g

const rules: readonly Rule[] = [
  [privateKeyBlock, secret],
  [prefixedKey, secret],
  [jsonWebToken, secret],
  [bearerToken, (match, scheme = '', token = '') => (isToken(token) ? `${scheme}${redactionMarks.secret}` : match)],
  // A scheme alone ("Authorization: Bearer [secret]", already masked) is not the secret.
  [secretAssignment, (match, name = '', value = '') => (/^(basic|bearer)$/i.test(value) ? match : `${name}${redactionMarks.secret}`)],
  [email, () => redactionMarks.email],
  [cardNumber, (match) => (isCardNumber(match) ? redactionMarks.card : match)],
  [phoneNumber, (match) => (isPhoneNumber(match) ? redactionMarks.phone : match)],
  [longHex, (match) => (/\d/.test(match) && /[A-Fa-f]/.test(match) ? redactionMarks.secret : match)],
  [longBase64, (match) => (looksRandom(match) ? redactionMarks.secret : match)],
]

const secretRules: readonly Rule[] = rules.filter(([pattern]) => ![email, cardNumber, phoneNumber].includes(pattern))

/**
 * Returns `text` with API-key-like strings alone masked as `[secret]`: the secret rules of
 * {@link redactText}, for text where digits and addresses carry meaning (an upstream's error).
 */
export function redactSecrets(text: string): string {
  let result = text
  for (const [pattern, replace] of secretRules) result = result.replace(pattern, replace)
  return result
}

/**
 * Returns `text` with e-mail addresses, phone numbers, card numbers and API-key-like strings (vendor
 * key prefixes such as `sk-`, Bearer tokens, JWTs, private keys, `password=…` values, long hex or
 * high-entropy base64) replaced by {@link redactionMarks}. A heuristic: it errs toward masking, and
 * it cannot see a secret that looks like prose.
 * @example
 * redactText('Mail ada@example.org or call +44 20 7946 0958') // 'Mail [email] or call [phone]'
 */
export function redactText(text: string): string {
  let result = text
  for (const [pattern, replace] of rules) result = result.replace(pattern, replace)
  return result
}

/** Whether what follows `Bearer` is a token rather than a word ("bearer instruments"). */
function isToken(token: string): boolean {
  return token.length >= 16 || (token.length >= 8 && /\d/.test(token))
}

/** Whether a run of 13 to 19 digits passes the Luhn check (ISO/IEC 7812-1), as every card number does. */
function isCardNumber(match: string): boolean {
  const digits = match.replace(/\D/g, '')
  if (digits.length < 13 || digits.length > 19) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}

/**
 * E.164 caps numbers at 15 digits. Without a `+`, digits split by spaces alone are taken for a phone
 * number only in the shapes phones are written in (a trunk `0`, or North America's 3-3-4), so that
 * lists of numbers and IP addresses stay as they are.
 */
function isPhoneNumber(match: string): boolean {
  const digits = match.replace(/\D/g, '')
  if (match.startsWith('+')) return digits.length >= 8 && digits.length <= 15
  if (digits.length < 9 || digits.length > 15) return false
  if (/^\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}$/.test(match)) return true
  return /[()-]/.test(match) || (match.startsWith('0') && !match.includes('.'))
}

/**
 * Long base64 that looks random: all of upper case, lower case and digits, and a Shannon entropy of
 * at least 4.2 bits per character (random base64 of 40 characters has about 4.8; camel-case words
 * and paths score lower).
 */
function looksRandom(match: string): boolean {
  if (!/\d/.test(match) || !/[a-z]/.test(match) || !/[A-Z]/.test(match)) return false
  const counts = new Map<string, number>()
  for (const char of match) counts.set(char, (counts.get(char) ?? 0) + 1)
  let entropy = 0
  for (const count of counts.values()) {
    const p = count / match.length
    entropy -= p * Math.log2(p)
  }
  return entropy >= 4.2
}
