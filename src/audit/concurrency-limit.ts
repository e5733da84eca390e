/**
 * Bounds how many of an audit's calls are in flight, so that a large audit neither floods the
 * rewriter nor trips its rate limits.
 * @module
 */

/** Runs functions with at most `limit` of them pending at once, in the order they were queued. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

/** Creates a {@link Limiter}. */
export function createLimiter(limit: number): Limiter {
  let active = 0
  const waiting: (() => void)[] = []
  return async (task) => {
    // A finishing task hands its slot straight to the next waiting one, so that a task arriving in
    // between can never squeeze past the limit.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    else active += 1
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next === undefined) active -= 1
      else next()
    }
  }
}

/**
 * Maps `items` through `work` with at most `limit` running at once; results keep the items' order.
 * On the first failure no further item starts, the running ones are awaited, and the failure is
 * rethrown (so nothing runs on after the caller has given up).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++
      try {
        results[index] = await work(items[index] as T, index)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure !== undefined) throw failure.error
  return results
}
