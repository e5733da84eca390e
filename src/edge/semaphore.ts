/** Gives back a permit; calling it again does nothing. */
export type Release = () => void

/** A counting semaphore whose waiters are served first come, first served. */
export interface Semaphore {
  /**
   * Resolves with a release function once a permit is free.
   * @throws the signal's reason when it aborts while waiting (the place in line is given up).
   */
  acquire(signal?: AbortSignal | null): Promise<Release>
  /** Permits held now. */
  readonly active: number
  /** Callers waiting for a permit. */
  readonly waiting: number
}

/** Creates a semaphore with `limit` permits. */
export function createSemaphore(limit: number): Semaphore {
  let active = 0
  const queue: Array<{ grant: () => void }> = []

  const makeRelease = (): Release => {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = queue.shift()
      // The permit passes straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next.grant()
      else active -= 1
    }
  }

  return {
    get active() {
      return active
    },
    get waiting() {
      return queue.length
    },
    acquire(signal) {
      signal?.throwIfAborted()
      if (active < limit) {
        active += 1
        return Promise.resolve(makeRelease())
      }
      return new Promise<Release>((resolve, reject) => {
        const entry = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort)
            resolve(makeRelease())
          },
        }
        const onAbort = () => {
          const position = queue.indexOf(entry)
          if (position >= 0) queue.splice(position, 1)
          reject(signal?.reason)
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        queue.push(entry)
      })
    },
  }
}
