import { describe, expect, it } from 'vitest';
import { asChatMessages, messageText } from './content-shape';

describe('asChatMessages', () => {
  it('recognises the usual chat shapes', () => {
    const messages = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }];
    expect(asChatMessages(messages)).toEqual(messages);
    expect(asChatMessages({ messages, temperature: 0 })).toEqual(messages);
    expect(asChatMessages({ role: 'assistant', content: 'hello' })).toEqual([{ role: 'assistant', content: 'hello' }]);
    expect(asChatMessages({ choices: [{ message: { role: 'assistant', content: 'x' } }] })).toEqual([{ role: 'assistant', content: 'x' }]);
  });

  it('leaves everything else to the JSON view', () => {
    expect(asChatMessages('text')).toBeNull();
    expect(asChatMessages([])).toBeNull();
    expect(asChatMessages([{ role: 'user' }])).toBeNull();
    expect(asChatMessages({ query: 'q', documents: [] })).toBeNull();
    expect(asChatMessages(null)).toBeNull();
  });

  it('reads message text, including text parts', () => {
    expect(messageText('a')).toBe('a');
    expect(messageText([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }])).toBe('a\nb');
    expect(messageText([{ type: 'image_url', image_url: {} }])).toBeNull();
    expect(messageText(null)).toBe('');
  });
});
