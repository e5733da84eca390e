import type { PreferenceRecord } from '../../src/log/preference-record.js'

/**
 * A realistic record: one candidate failed (nulls everywhere a value is unknown), the text mixes
 * scripts, emoji, combining marks and control characters.
 */
export function makeRecord(overrides: Partial<PreferenceRecord> = {}): PreferenceRecord {
  return {
    requestId: 'req-0001',
    createdAt: '2025-03-01T12:00:00.000Z',
    endpoint: 'chat',
    model: 'qwen2.5-7b-instruct',
    messages: [
      { role: 'system', content: 'Réponds brièvement.' },
      { role: 'user', content: [{ type: 'text', text: '日本語で説明して 🍬' }], name: 'ana' },
    ],
    params: { temperature: 0.7, max_tokens: 256, seed: 42, stop: ['\n\n'], logit_bias: { '50256': -100 } },
    n: 3,
    fanout: 'native',
    rewardModel: 'skywork-reward-v2',
    candidates: [
      {
        index: 0,
        text: 'ボンボンは甘い 🍬 — e\u0301 نعم\ttab\u0000nul',
        reward: 1.25,
        finishReason: 'stop',
        completionTokens: 12,
        logprobSum: -8.5,
        latencyMs: 431.7,
        error: null,
      },
      {
        index: 1,
        text: 'Short answer.',
        reward: -0.5,
        finishReason: 'length',
        completionTokens: 0,
        logprobSum: null,
        latencyMs: 402,
        error: null,
      },
      {
        index: 2,
        text: '',
        reward: null,
        finishReason: null,
        completionTokens: null,
        logprobSum: null,
        latencyMs: 30,
        error: 'upstream answered 500',
      },
    ],
    chosen: 0,
    best: 0,
    worst: 1,
    promptTokens: 21,
    completionTokens: null,
    latencyMs: 512.25,
    degraded: null,
    ...overrides,
  }
}

/** Records with distinct ids, one second apart from `2025-03-01T12:00:00Z`. */
export function makeRecords(count: number, overrides: Partial<PreferenceRecord> = {}): PreferenceRecord[] {
  return Array.from({ length: count }, (_, i) =>
    makeRecord({
      requestId: `req-${String(i).padStart(4, '0')}`,
      createdAt: new Date(Date.UTC(2025, 2, 1, 12, 0, i)).toISOString(),
      ...overrides,
    }),
  )
}
