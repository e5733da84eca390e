/**
 * The writes an edge sink has sent and not yet seen settle. An isolate may be evicted at any time,
 * so edge sinks queue nothing in memory: each write goes out at once, and this only remembers it so
 * that `flush` and `close` can wait for it.
 */
export interface InFlightWrites {
  /**
   * Starts `write` and tracks it until it settles, returning its own promise; once closed, starts
   * nothing and rejects with `closedError()`.
   */
  start(write: () => Promise<void>, closedError: () => Error): Promise<void>
  /**
   * Resolves once every write started before or during the flush has settled. Never rejects: a
   * failed write was already reported to its own caller.
   */
  flush(): Promise<void>
  /** Refuses further writes, then flushes. */
  close(): Promise<void>
}

/** Creates an empty, open {@link InFlightWrites}; its methods may be passed around unbound. */
export function createInFlightWrites(): InFlightWrites {
  const inFlight = new Set<Promise<void>>()
  let closed = false

  async function flush(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight])
  }

  return {
    start(write, closedError) {
      if (closed) return Promise.reject(closedError())
      const pending = write()
      const tracked = pending.then(
        () => undefined,
        () => undefined,
      )
      inFlight.add(tracked)
      void tracked.then(() => inFlight.delete(tracked))
      return pending
    },
    flush,
    async close() {
      closed = true
      await flush()
    },
  }
}
