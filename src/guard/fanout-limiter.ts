/** Counts the candidate generations each client has in flight. */
export interface FanoutLimiter {
  /**
   * Reserves `n` generations for `client`, or returns undefined when that would exceed the limit.
   * The returned function gives them back; calling it again does nothing.
   */
  acquire(client: string, n: number): (() => void) | undefined
  /** Generations `client` has in flight. */
  inFlight(client: string): number
}

/**
 * A limit on the candidate generations one client may have in flight over all its requests, so one
 * client cannot hold the whole inference backend. Memory is bounded by the requests in flight: a
 * client's count is dropped when it returns to zero.
 */
export function createFanoutLimiter(maxConcurrentFanout: number): FanoutLimiter {
  const counts = new Map<string, number>()
  return {
    acquire(client, n) {
      const current = counts.get(client) ?? 0
      if (current + n > maxConcurrentFanout) return undefined
      counts.set(client, current + n)
      let released = false
      return () => {
        if (released) return
        released = true
        const left = (counts.get(client) ?? n) - n
        if (left > 0) counts.set(client, left)
        else counts.delete(client)
      }
    },
    inFlight: (client) => counts.get(client) ?? 0,
  }
}
