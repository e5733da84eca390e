import { describe, expect, it } from 'vitest'
import { redactRecord } from '../../src/guard/redact-record.js'
import { redactText } from '../../src/guard/redact.js'
import type { PreferenceRecord } from '../../src/log/preference-record.js'

describe('redactText', () => {
  it.each([
    ['Write to ada.lovelace+notes@example.co.uk today.', 'Write to [email] today.'],
    ['Contact: "J. Doe" <j_doe@mail.example.org>', 'Contact: "J. Doe" <[email]>'],
    ['Call +1 (415) 555-0132 or +44 20 7946 0958.', 'Call [phone] or [phone].'],
    ['My number is (212) 555-0187, office 020 7946 0958.', 'My number is [phone], office [phone].'],
    ['US style 415-555-0132 and 415.555.0132, toll-free 1-800-555-0199', 'US style [phone] and [phone], toll-free [phone]'],
    ['Appelez le 06 12 34 56 78.', 'Appelez le [phone].'],
    ['Card 4111 1111 1111 1111 exp 12/27', 'Card [card] exp 12/27'],
    ['Amex 3782-822463-10005, Visa 4012888888881881', 'Amex [card], Visa [card]'],
    ['export OPENAI_API_KEY=sk-proj-Xy7aB3dE9fGhIjKlMnOpQrStUv', 'export OPENAI_API_KEY=[secret]'],
    ['Anthropic key sk-ant-api03-AbCdEfGhIjKlMnOp_QrStUv-123', 'Anthropic key [secret]'],
    ['curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"', 'curl -H "Authorization: Bearer [secret]"'],
    ['token ghp_16C7e42F292c6912E7710c838347Ae178B4a and AKIAIOSFODNN7EXAMPLE', 'token [secret] and [secret]'],
    ['Use Bearer abc123def456ghi7 for the call', 'Use Bearer [secret] for the call'],
    ['password: hunter2hunter2', 'password: [secret]'],
    ['db = {"api_key": "c2VjcmV0LXZhbHVl", "region": "eu"}', 'db = {"api_key": "[secret]", "region": "eu"}'],
    ['sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 here', 'sha [secret] here'],
    ['aws secret wJalrXUtnFEMI/K7MDENG/bPxRfiCY9EXAMPLEKEY1234', 'aws secret [secret]'],
  ])('masks %s', (text, expected) => {
    expect(redactText(text)).toBe(expected)
  })

  it.each([
    'The meeting is on 2024-01-15 at 10:30 in room 101.',
    'Version 1.2.3 fixed bug #4521; see commit abc123.',
    'The server at 192.168.100.200 answered in 35 ms.',
    'Counting: 10 20 30 40 50 60 70 80 90 100.',
    'Pi is 3.14159265358979, e is 2.71828.',
    'The total was $1,234,567.89 for 12 345 units.',
    'A bearer of bad news arrived.',
    'Luhn-invalid digits 4111 1111 1111 1112 stay.',
    'Call the function getUserProfileFromDatabaseCache() now.',
    'import { AbstractSingletonProxyFactoryBean } from "spring"',
    'The password must be at least 12 characters.',
    'ISBN 978-3-16-148410-0 is a book.',
    'In Python: password = input("Password: ")',
    'UUID 123e4567-e89b-12d3-a456-426614174000 and URL https://github.com/openai/openai-node/blob/main/src/index.ts#L120',
  ])('leaves %s as it is', (text) => {
    expect(redactText(text)).toBe(text)
  })

  it('stays linear on a megabyte of input built to make regular expressions backtrack', () => {
    const hostile = [
      'a'.repeat(200_000) + '@',
      '1 '.repeat(100_000) + 'x',
      ('+1234567890123 ').repeat(10_000) + 'a1',
      ('-----BEGIN RSA PRIVATE KEY-----' + 'A'.repeat(10)).repeat(5_000),
      'A1b'.repeat(70_000) + '====',
      ('sk-' + 'a'.repeat(20) + '!').repeat(5_000),
    ].join(' ')
    // Quadratic backtracking over this input would take hours and time the test out.
    const redacted = redactText(hostile)
    expect(redacted.length).toBeGreaterThan(0)
  })
})

describe('redactRecord', () => {
  it('masks the prompt, the parameters and every candidate, and keeps the rest', () => {
    const record: PreferenceRecord = {
      requestId: 'req-1',
      createdAt: '2025-01-01T00:00:00.000Z',
      endpoint: 'chat',
      model: 'm',
      messages: [
        { role: 'system', content: 'Reply to bob@example.com.' },
        { role: 'user', content: [{ type: 'text', text: 'My card: 4111111111111111' }] },
      ],
      params: { temperature: 0.2, user: 'bob@example.com', metadata: { phone: '+49 30 901820' } },
      n: 2,
      fanout: 'native',
      rewardModel: 'rm',
      candidates: [
        { index: 0, text: 'Mail bob@example.com', reward: 1, finishReason: 'stop', completionTokens: 3, logprobSum: null, latencyMs: 5, error: null },
        { index: 1, text: '', reward: null, finishReason: null, completionTokens: null, logprobSum: null, latencyMs: 5, error: 'echo: sk-live-abcdefghijklmnop1234' },
      ],
      chosen: 0,
      best: 0,
      worst: 0,
      promptTokens: 3,
      completionTokens: 3,
      latencyMs: 9,
      degraded: null,
    }
    const redacted = redactRecord(record)
    expect(redacted.messages).toEqual([
      { role: 'system', content: 'Reply to [email].' },
      { role: 'user', content: [{ type: 'text', text: 'My card: [card]' }] },
    ])
    expect(redacted.params).toEqual({ temperature: 0.2, user: '[email]', metadata: { phone: '[phone]' } })
    expect(redacted.candidates.map((candidate) => [candidate.text, candidate.error])).toEqual([
      ['Mail [email]', null],
      ['', 'echo: [secret]'],
    ])
    expect({ ...redacted, messages: [], params: {}, candidates: [] }).toEqual({ ...record, messages: [], params: {}, candidates: [] })
    expect(record.params['user']).toBe('bob@example.com')
  })
})
