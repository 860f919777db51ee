import { describe, expect, it } from 'vitest';
import { turnOf } from './conversation';

describe('a trace as a conversation turn', () => {
  it('takes the root span’s input and output when it has them', () => {
    expect(turnOf([{ kind: 'AGENT', input: 'Where is my order?', output: { role: 'assistant', content: 'It ships today.' } }])).toEqual({
      user: 'Where is my order?',
      assistant: 'It ships today.',
    });
  });

  it('falls back to the first generation’s last user message and the last generation’s answer', () => {
    const spans = [
      { kind: 'AGENT', parentId: null },
      { kind: 'GENERATION', parentId: 'r', input: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Refund?' }], output: { role: 'assistant', content: 'Let me check.' } },
      { kind: 'TOOL', parentId: 'r', input: { id: 1 }, output: { ok: true } },
      { kind: 'GENERATION', parentId: 'r', input: [], output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Refunded.' }] }] },
    ];
    expect(turnOf(spans)).toEqual({ user: 'Refund?', assistant: 'Refunded.' });
  });

  it('reads null when content is hidden or not recorded', () => {
    expect(turnOf([{ kind: 'GENERATION', input: null, output: null }])).toEqual({ user: null, assistant: null });
  });
});
