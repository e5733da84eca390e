import { afterEach } from 'vitest'
import type { BestOfNRequest } from '../../src/protocol/best-of-n-request.js'
import { parseRequest } from '../../src/protocol/parse-request.js'
import {
  startSimulatedBackend,
  type SimulatedBackend,
  type SimulatedBackendOptions,
  type SimulatedRequest,
} from '../../src/testing/simulated-backend.node.js'
import { defaultSimulatedAnswer } from '../../src/testing/simulated-completion.js'

const running: SimulatedBackend[] = []

/** Closes every simulated backend a test started. Call once at the top of a test file. */
export function closeBackendsAfterEach(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((backend) => backend.close()))
  })
}

/** Starts a simulated backend that is closed after the test. */
export async function startUpstream(options?: SimulatedBackendOptions): Promise<SimulatedBackend> {
  const backend = await startSimulatedBackend(options)
  running.push(backend)
  return backend
}

export const prompt = 'Write a haiku about caramel.'

/** A chat request as a client would send it. */
export function chatRequest(extra: Record<string, unknown> = {}): BestOfNRequest {
  return parseRequest({ model: 'sim', messages: [{ role: 'user', content: prompt }], ...extra }, { endpoint: 'chat' })
}

/** The text the simulated server writes for a seeded choice. */
export function seededAnswer(seed: number): string {
  return defaultSimulatedAnswer({ prompt, index: 0, seed, call: 0, endpoint: 'chat', body: {} })
}

/** The completion calls a backend made, without `GET /models`. */
export function completionCalls(backend: SimulatedBackend): SimulatedRequest[] {
  return backend.requests.filter((request) => request.method === 'POST')
}

/** The `n` of every completion call, in arrival order. */
export function nOfCalls(backend: SimulatedBackend): unknown[] {
  return completionCalls(backend).map((request) => request.body['n'])
}

/** No retries: for tests that watch how one failed call is handled. */
export const noRetry = { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 }
