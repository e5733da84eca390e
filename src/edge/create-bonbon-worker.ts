import type { ExecutionContext } from 'hono'
import { BonbonError, describeError } from '../errors.js'
import { toErrorResponse } from '../protocol/error-response.js'
import type { QueueMessageBatch, WorkerEnv } from './cloudflare-bindings.js'
import { consumeRecordBatch } from './consume-record-batch.js'
import { createEdgeApp, type EdgeApp, type EdgeAppOptions } from './create-edge-app.js'

/** Options of {@link createBonbonWorker}. */
export type BonbonWorkerOptions = EdgeAppOptions

/** A Worker's handlers: `export default createBonbonWorker()`. */
export interface BonbonWorker {
  /** Serves the gateway. */
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response>
  /** Consumes the log queue of `log.kind: "queue"`. */
  queue(batch: QueueMessageBatch, env: WorkerEnv, ctx: ExecutionContext): Promise<void>
}

/**
 * The bonbon gateway as a Cloudflare Worker. The app is built once per isolate, on the first event,
 * from the Worker's environment (`BONBON_CONFIG` and `BONBON_*` vars and secrets; see
 * {@link createEdgeApp}); the promise is kept, so concurrent first requests build it once.
 *
 * A configuration that cannot be used is not a crash: it is logged once and every request gets an
 * OpenAI-shaped 500 saying what is wrong, and queued messages are retried. A D1 log without its
 * tables gets the same treatment until `wrangler d1 migrations apply` has run.
 */
export function createBonbonWorker(options: BonbonWorkerOptions = {}): BonbonWorker {
  const logger = options.logger ?? console
  let edgeApp: Promise<EdgeApp> | undefined
  let lastReported: string | undefined

  function load(env: WorkerEnv): Promise<EdgeApp> {
    edgeApp ??= createEdgeApp(env, options).catch((error: unknown) => {
      logger.error(`bonbon: cannot start the gateway: ${describeError(error)}`)
      throw error
    })
    return edgeApp
  }

  // Once per distinct message, so an unready isolate does not log one line per request.
  function report(error: unknown): void {
    const message = describeError(error)
    if (message === lastReported) return
    lastReported = message
    logger.error(`bonbon: not ready: ${message}`)
  }

  return {
    async fetch(request, env, ctx) {
      let app: EdgeApp
      try {
        app = await load(env)
      } catch (error) {
        return errorResponse(error)
      }
      try {
        await app.ready()
      } catch (error) {
        report(error)
        return errorResponse(error)
      }
      lastReported = undefined
      return app.handle(request, env, ctx)
    },

    async queue(batch, env) {
      let app: EdgeApp
      try {
        app = await load(env)
      } catch {
        // Already logged; the messages stay queued until a fixed deploy can store them.
        batch.retryAll()
        return
      }
      if (app.consumer === undefined) {
        logger.error(
          `bonbon: queue ${batch.queue} delivered ${batch.messages.length} messages, but log.kind is not "queue"; ` +
            'they are retried (and go to the dead-letter queue, if any, after max_retries).',
        )
        batch.retryAll()
        return
      }
      await consumeRecordBatch(batch, {
        target: app.consumer,
        onError: (error) => logger.error(`bonbon: ${error.message}`),
      })
    },
  }
}

function errorResponse(error: unknown): Response {
  const { status, body } = toErrorResponse(
    BonbonError.isInstance(error) ? error : new BonbonError('internal_error', 'The gateway could not start.'),
  )
  return Response.json(body, { status })
}
