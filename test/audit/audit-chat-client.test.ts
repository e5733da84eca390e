import { afterEach, describe, expect, it } from 'vitest'
import { createAuditChatClient } from '../../src/audit/audit-chat-client.js'
import { InvalidOptionsError, UpstreamError } from '../../src/errors.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'

const started: SimulatedBackend[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((backend) => backend.close()))
})

async function start(options: SimulatedBackendOptions): Promise<SimulatedBackend> {
  const backend = await startSimulatedBackend(options)
  started.push(backend)
  return backend
}

const messages = [{ role: 'user' as const, content: 'Rewrite: hello' }]

describe('createAuditChatClient', () => {
  it('sends the model, messages and temperature with the key, and returns the first choice', async () => {
    const backend = await start({ answer: (input) => `echo ${input.prompt}`, apiKey: 'sk-audit' })
    const client = createAuditChatClient({ baseURL: `${backend.url}/`, model: 'rewriter', apiKey: 'sk-audit' })
    expect(await client.complete({ messages, temperature: 0.7 })).toBe('echo Rewrite: hello')
    expect(backend.requests[0]?.path).toBe('/v1/chat/completions')
    expect(backend.requests[0]?.body).toMatchObject({ model: 'rewriter', messages, temperature: 0.7, stream: false })
  })

  it('retries 429 and 5xx answers after the server-given or exponential wait', async () => {
    const backend = await start({
      faults: [
        { kind: 'http-error', status: 429, retryAfter: 3 },
        { kind: 'http-error', status: 503 },
      ],
    })
    const waits: number[] = []
    const client = createAuditChatClient({
      baseURL: backend.url,
      model: 'rewriter',
      retryDelayMs: 100,
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    await expect(client.complete({ messages, temperature: 0 })).resolves.toContain('Réponse')
    expect(backend.requests).toHaveLength(3)
    expect(waits).toEqual([3000, 200])
  })

  it('gives up after maxRetries and never retries a 400', async () => {
    const failing = await start({ faults: () => ({ kind: 'http-error', status: 500 }) })
    const sleep = async () => undefined
    const client = createAuditChatClient({ baseURL: failing.url, model: 'm', maxRetries: 2, sleep })
    await expect(client.complete({ messages, temperature: 0 })).rejects.toSatisfy(
      (error: unknown) => UpstreamError.isInstance(error) && error.status === 500,
    )
    expect(failing.requests).toHaveLength(3)

    const refusing = await start({ faults: [{ kind: 'http-error', status: 400 }] })
    await expect(createAuditChatClient({ baseURL: refusing.url, model: 'm', sleep }).complete({ messages, temperature: 0 })).rejects.toThrow(
      /answered 400/,
    )
    expect(refusing.requests).toHaveLength(1)
  })

  it('keeps the API key out of error messages', async () => {
    const backend = await start({ faults: [{ kind: 'http-error', status: 400, body: { error: { message: 'bad key sk-secret-1' } } }] })
    const client = createAuditChatClient({ baseURL: backend.url, model: 'm', apiKey: 'sk-secret-1' })
    await expect(client.complete({ messages, temperature: 0 })).rejects.toThrow('bad key [redacted]')
  })

  it('refuses options it cannot use', () => {
    expect(() => createAuditChatClient({ baseURL: 'ftp://x', model: 'm' })).toThrow(InvalidOptionsError)
    expect(() => createAuditChatClient({ baseURL: 'http://127.0.0.1:1/v1', model: '' })).toThrow(InvalidOptionsError)
    expect(() => createAuditChatClient({ baseURL: 'http://127.0.0.1:1/v1', model: 'm', maxRetries: -1 })).toThrow(InvalidOptionsError)
  })
})
