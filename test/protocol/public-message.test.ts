import { describe, expect, it } from 'vitest'
import { publicMessage } from '../../src/protocol/public-message.js'

describe('publicMessage', () => {
  it.each([
    ['Upstream call to http://10.1.2.3:8000/v1/chat/completions failed', 'Upstream call to <internal>/v1/chat/completions failed'],
    ['connect ECONNREFUSED 127.0.0.1:8001', 'connect ECONNREFUSED <internal>'],
    ['getaddrinfo ENOTFOUND vllm.internal', 'getaddrinfo ENOTFOUND <internal>'],
    ['see http%3A%2F%2F127.0.0.1%3A19100%2Fv1 or localhost:19100', 'see <internal>%2Fv1 or <internal>'],
    ['[::1]:8000 refused', '<internal> refused'],
    ['got Authorization: Bearer abc.def and key sk-proj-12345678abc', 'got Authorization: Bearer [redacted] and key [redacted]'],
  ])('masks %j', (message, expected) => {
    expect(publicMessage(message)).toBe(expected)
  })

  it('keeps what a client needs to fix its request', () => {
    const message = "This model's maximum context length is 4096 tokens; model gpt-3.5-turbo asked for 5000 (param: max_tokens)."
    expect(publicMessage(message)).toBe(message)
  })

  it('keeps only the first line, and at most 300 characters of it', () => {
    expect(publicMessage('Traceback (most recent call last):\n  File "/srv/app.py", line 3')).toBe('Traceback (most recent call last):')
    const long = publicMessage(`${'é'.repeat(400)}`)
    expect([...long]).toHaveLength(301)
    expect(long.endsWith('…')).toBe(true)
  })
})
