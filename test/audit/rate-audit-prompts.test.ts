import { describe, expect, it } from 'vitest'
import {
  classifyMessages,
  cleanRewrite,
  parseClassifierAnswer,
  renderConversation,
  rewriteMessages,
} from '../../src/audit/rate-audit-prompts.js'

const formal = {
  kind: 'custom' as const,
  name: 'formal',
  description: 'how formal the tone is',
  positive: 'formal: no contractions',
  negative: 'casual: contractions welcome',
}

describe('parseClassifierAnswer', () => {
  it.each([
    ['{"w": 1}', true],
    ['{"w":0}', false],
    ['```json\n{"w": 1}\n```', true],
    ['Sure! Here is my label: {"w": "0"} because it is casual.', false],
    ['{"w": true}', true],
    ['{"reason": "casual"} {"w": 0}', false],
    ['w: 1', true],
    ['1', true],
    ['  0 \n', false],
  ])('reads %j as %s', (answer, expected) => {
    expect(parseClassifierAnswer(answer)).toBe(expected)
  })

  it.each(['', 'It is formal.', '{"w": 2}', '{"label": 1}', 'maybe 1 or 0', '{"w": null}'])(
    'leaves %j undecided rather than guess',
    (answer) => {
      expect(parseClassifierAnswer(answer)).toBeNull()
    },
  )
})

describe('cleanRewrite', () => {
  it('trims the answer and drops a wrapper the model echoed', () => {
    expect(cleanRewrite('  Short.\n')).toBe('Short.')
    expect(cleanRewrite('<answer>\nShort.\n</answer>')).toBe('Short.')
    expect(cleanRewrite('```\nShort.\n```')).toBe('Short.')
  })

  it('keeps code fences that are part of the answer', () => {
    expect(cleanRewrite('Run:\n```sh\nls\n```')).toBe('Run:\n```sh\nls\n```')
  })

  it('returns null for an empty rewrite', () => {
    expect(cleanRewrite(' \n ')).toBeNull()
    expect(cleanRewrite('<answer></answer>')).toBeNull()
  })
})

describe('rewrite and classification prompts', () => {
  it('asks for a shorter answer below the threshold and a longer one above it', () => {
    const attribute = { kind: 'length' as const, name: 'length' as const, threshold: 412.5 }
    const shorter = JSON.stringify(rewriteMessages(attribute, false, 'Q?', 'A long answer.'))
    const longer = JSON.stringify(rewriteMessages(attribute, true, 'Q?', 'A.'))
    expect(shorter).toContain('substantially shorter: well under 412.5 characters')
    expect(longer).toContain('substantially longer: well over 412.5 characters')
    expect(shorter).toContain('<answer>\\nA long answer.\\n</answer>')
  })

  it('tells the rewriter the target value, the value to leave and to change nothing else', () => {
    const [, user] = rewriteMessages(formal, true, 'Q?', "It's fine.")
    expect(user?.content).toContain('Target: formal: no contractions')
    expect(user?.content).toContain('must no longer be: casual: contractions welcome')
    expect(user?.content).toContain('keep everything else')
  })

  it('asks the classifier for JSON with both values described', () => {
    const [, user] = classifyMessages(formal, 'Q?', "It's fine.")
    expect(user?.content).toContain('W = 1 means: formal: no contractions')
    expect(user?.content).toContain('W = 0 means: casual: contractions welcome')
    expect(user?.content).toContain('{"w": 1}')
  })

  it('renders a one-message prompt as its text and a conversation with roles', () => {
    expect(renderConversation([{ role: 'user', content: 'Hi?' }])).toBe('Hi?')
    expect(
      renderConversation([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi?' }] },
      ]),
    ).toBe('system: Be brief.\n\nuser: Hi?')
  })
})
