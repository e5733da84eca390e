import { InvalidOptionsError } from '../errors.js'

/** Options shared by every reward model reached over HTTP. */
export interface RemoteRewardModelOptions {
  /** Bearer key, sent as `Authorization: Bearer …`; never included in errors. */
  apiKey?: string
  /** Extra headers sent with every request. */
  headers?: Readonly<Record<string, string>>
  /**
   * The fetch implementation, for proxies, custom agents or tests.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
}

/** {@link RemoteRewardModelOptions} with defaults filled in, copied so the caller's object is never kept. */
export interface ResolvedRemoteRewardModelOptions {
  readonly apiKey: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly fetch: typeof fetch
}

/** Resolves the shared options once, at construction. */
export function resolveRemoteOptions(options: RemoteRewardModelOptions): ResolvedRemoteRewardModelOptions {
  return {
    apiKey: options.apiKey,
    headers: { ...options.headers },
    // Called through a closure: workerd and browsers throw "Illegal invocation" when the global fetch
    // is called as a method of another object.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  }
}

/**
 * A reward model's name for logs: its kind and host (`tei (rm.internal:8080)`), never a path or
 * credentials. Not `kind:host`, which reads as a broken URL when the kind is `http`.
 */
export function hostName(kind: string, url: string): string {
  return `${kind} (${new URL(url).host})`
}

/**
 * Checks that `value` is an http(s) URL without credentials and returns it.
 * @throws InvalidOptionsError naming `key`.
 */
export function checkHttpUrl(value: unknown, key: string): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidOptionsError(`${key} must be an http(s) URL; got ${JSON.stringify(value)}.`, { key })
  }
  // fetch refuses such URLs, and errors and logs carry the URL: credentials belong in apiKey or headers.
  if (url.username !== '' || url.password !== '') {
    throw new InvalidOptionsError(`${key} must not include credentials; use apiKey or headers.`, { key })
  }
  return String(value)
}

/** A path under a base URL, whether or not the base ends with a slash. */
export function endpointUrl(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}/${path}`
}
