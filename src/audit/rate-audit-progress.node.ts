/**
 * Progress of `bonbon audit rate` on stderr: a cli-progress bar on a terminal, plain lines every
 * tenth of the way (and at the end) otherwise, so that logs of CI runs stay readable.
 * @module
 */
import { SingleBar } from 'cli-progress'
import type { RateAuditProgress } from './rate-audit.js'

/** Shows the progress of a run. */
export interface RateAuditProgressView {
  /** Told after each item. */
  update(progress: RateAuditProgress): void
  /** Removes the bar (idempotent). */
  stop(): void
}

/** Creates the progress view for `total` items on `stream`. */
export function createRateAuditProgress(
  stream: NodeJS.WritableStream & { readonly isTTY?: boolean },
  total: number,
): RateAuditProgressView {
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      stream,
      format: 'audit [{bar}] {percentage}% | {value}/{total} items | {made} calls, {cached} cached, {failed} failed | ETA {eta_formatted}',
      hideCursor: null,
      clearOnComplete: true,
    })
    bar.start(total, 0, { made: 0, cached: 0, failed: 0 })
    let stopped = false
    return {
      update: (progress) => bar.update(progress.done, { ...progress.calls }),
      stop() {
        if (stopped) return
        stopped = true
        bar.stop()
      },
    }
  }
  const step = Math.max(1, Math.ceil(total / 10))
  return {
    update(progress) {
      if (progress.done % step !== 0 && progress.done !== progress.total) return
      const { made, cached, failed } = progress.calls
      stream.write(`audit: ${progress.done}/${progress.total} items, ${made} calls made, ${cached} cached, ${failed} failed\n`)
    },
    stop() {},
  }
}
