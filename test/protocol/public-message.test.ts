import { describe, expect, it } from 'vitest'
import { publicMessage } from '../../src/protocol/public-message.js'

describe('publicMessage', () => {
  it.each([
    ['Upstream call to http://10.1.2.3:8000/v1/chat/completions failed', 'Upstream call to <internal>/v1/chat/completions failed'],
    ['connect ECONNREFUSED 127.0.0.1:8001', 'connect ECONNREFUSED <internal>'],
    ['getaddrinfo ENOTFOUND vllm.internal', 'getaddrinfo ENOTFOUND <internal>'],
    ['see http%3A%2F%2F127.0.0.1%3A19100%2Fv1 or localhost:19100', 'see <internal>%2Fv1 or <internal>'],
    ['[::1]:8000 refused', '<internal> refused'],
    ['Upstream call to http://[fd00:dead:beef::17]:19398/v1 failed: connect EHOSTUNREACH fd00:dead:beef::17:19398', 'Upstream call to <internal>/v1 failed: connect EHOSTUNREACH <internal>'],
    ["Host: localhost. is not in the cert's altnames: DNS:vllm-prod.gpu.corp.internal", "Host: <internal>. is not in the cert's altnames: DNS:<internal>"],
    ['service "vllm.ml-serving.svc.cluster.local" timed out', 'service "<internal>" timed out'],
    ['got Authorization: Bearer abc.def.ghi123 and key sk-proj-12345678abcdefghij', 'got Authorization: Bearer [secret] and key [secret]'],
    ['bearer abcdefghijklmnop1234 then hf_abcdefghijklmnopqrstuvwxyz0123456 then AKIAABCDEFGHIJKLMNOP', 'bearer [secret] then [secret] then [secret]'],
    ['retry /v1?api_key=SECRET12345 later', 'retry /v1?api_key=[secret] later'],
  ])('masks %j', (message, expected) => {
    expect(publicMessage(message)).toBe(expected)
  })

  it.each([
    "This model's maximum context length is 4097 tokens; model gpt-3.5-turbo asked for 5000 (param: max_tokens).",
    'at 2024-05-01T12:30:45Z the ratio was 3:10 for gpt-3.5-turbo-0301:ft-acme:2024',
    'meta-llama/Llama-3.1-8B-Instruct does not support n > 1',
  ])('keeps what a client needs: %j', (message) => {
    expect(publicMessage(message)).toBe(message)
  })

  it('keeps only the first line, and at most 300 characters of it', () => {
    expect(publicMessage('Traceback (most recent call last):\n  File "/srv/app.py", line 3')).toBe('Traceback (most recent call last):')
    const long = publicMessage(`${'é'.repeat(400)}`)
    expect([...long]).toHaveLength(301)
    expect(long.endsWith('…')).toBe(true)
  })
})
