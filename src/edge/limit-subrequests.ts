import { BonbonError, InvalidOptionsError } from '../errors.js'
import { createSemaphore, type Release, type Semaphore } from './semaphore.js'

/** Per-request limits on outgoing calls, as Cloudflare Workers impose them. */
export interface SubrequestLimits {
  /** Connections one request may have open at once; Workers queue (or cancel) beyond six. @default 6 */
  readonly maxConnections?: number
  /** Outgoing calls one request may make; the next is refused before it is sent. @default 50 */
  readonly maxSubrequests?: number
}

/** The outgoing calls of one incoming request: its connection permits and how many calls it made. */
export interface SubrequestScope {
  readonly connections: Semaphore
  /** Calls made so far. */
  made: number
}

/** Options of {@link limitSubrequests}. */
export interface LimitSubrequestsOptions extends SubrequestLimits {
  /**
   * The scope of the request the current call is made for, or undefined outside any request (those
   * calls share one isolate-wide semaphore and are not counted). The Worker keeps it in an
   * AsyncLocalStorage entered around each request.
   */
  readonly currentScope: () => SubrequestScope | undefined
}

/** Creates the scope of one incoming request, with `maxConnections` permits. @default 6 permits */
export function createSubrequestScope(maxConnections = 6): SubrequestScope {
  return { connections: createSemaphore(positiveInteger(maxConnections, 'maxConnections')), made: 0 }
}

/**
 * Wraps `fetch` so that the calls made for one incoming request share a semaphore of
 * `maxConnections` and a count capped at `maxSubrequests`. A permit is held until the response body
 * has been read to the end, failed or been cancelled: that is when the connection is free again.
 * Workers queue connections beyond six themselves, but cancel the least recently used one when they
 * judge the queue deadlocked; keeping within six avoids that, and the cap turns the runtime's
 * "Too many subrequests" into an error that says which setting to change.
 * @throws InvalidOptionsError for limits that are not positive integers.
 */
export function limitSubrequests(fetch: typeof globalThis.fetch, options: LimitSubrequestsOptions): typeof globalThis.fetch {
  const maxConnections = positiveInteger(options.maxConnections ?? 6, 'maxConnections')
  const maxSubrequests = positiveInteger(options.maxSubrequests ?? 50, 'maxSubrequests')
  const unscoped = createSubrequestScope(maxConnections)

  return async (input, init) => {
    const scope = options.currentScope()
    if (scope !== undefined) {
      if (scope.made >= maxSubrequests) {
        throw new BonbonError(
          'subrequest_limit',
          `This request already made ${maxSubrequests} subrequests, the cap per request (BONBON_MAX_SUBREQUESTS; ` +
            'Workers Free allows 50). Ask for a smaller n, or use an upstream that honours native n.',
        )
      }
      scope.made += 1
    }
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
    const release = await (scope ?? unscoped).connections.acquire(signal)
    let response: Response
    try {
      response = await fetch(input, init)
    } catch (error) {
      release()
      throw error
    }
    return releaseWhenRead(response, release)
  }
}

function positiveInteger(value: number, key: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(`${key} must be a positive integer; got ${String(value)}.`, { key })
  }
  return value
}

/** The same response, whose body gives the permit back once it is read to the end, fails or is cancelled. */
function releaseWhenRead(response: Response, release: Release): Response {
  if (response.body === null) {
    release()
    return response
  }
  const reader = response.body.getReader()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) {
          release()
          controller.close()
        } else {
          controller.enqueue(value)
        }
      } catch (error) {
        release()
        controller.error(error)
      }
    },
    async cancel(reason) {
      release()
      await reader.cancel(reason)
    },
  })
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
