import { describe, expect, it } from 'vitest';
import { createPluginTestkit } from '../../core/index';
import { customerIds } from './index';

// The example plugin, unit-tested the way its author would: through the testkit, no server.

const kit = await createPluginTestkit(customerIds({ codeNames: ['Bluebird', 'Project X', 'c++ rewrite', 'Ωmega'] }));

const redact = (text: string) => kit.redactText(text);

describe('customer-ids plugin', () => {
  it('passes the contract checks the server runs at start', () => {
    expect(kit.plugin.name).toBe('customer-ids');
    expect(kit.plugin.redactors?.map((r) => r.name)).toEqual(['customer-id', 'code-name']);
  });

  it('redacts customer ids in a span: input, output, metadata and trace metadata, at any depth, keys untouched', () => {
    const { span, redactions } = kit.redactSpan({
      id: 'span-1',
      input: { messages: [{ role: 'user', content: 'I am CUST-123456, and my colleague is cust-0004711.' }] },
      output: 'Thanks CUST-123456, the Bluebird team will call.',
      metadata: { customer: 'CUST-999999', 'CUST-111111': 'keys are schema, not content' },
      trace: { name: 'support', metadata: { account: ['CUST-222222'] } },
    });
    expect(span).toEqual({
      id: 'span-1',
      input: { messages: [{ role: 'user', content: 'I am [REDACTED:customer-id], and my colleague is [REDACTED:customer-id].' }] },
      output: 'Thanks [REDACTED:customer-id], the [REDACTED:code-name] team will call.',
      metadata: { customer: '[REDACTED:customer-id]', 'CUST-111111': 'keys are schema, not content' },
      trace: { name: 'support', metadata: { account: ['[REDACTED:customer-id]'] } },
    });
    expect(redactions).toEqual([
      { rule: 'customer-id', count: 5 },
      { rule: 'code-name', count: 1 },
    ]);
  });

  it.each([
    ['too few digits', 'CUST-12345'],
    ['a letter after the digits', 'CUST-123456A'],
    ['an underscore after the digits', 'CUST-123456_x'],
    ['part of a longer word', 'XCUST-123456'],
    ['another prefix', 'CUSTOMER-123456'],
    ['an order number', 'ORD-2024-000123'],
  ])('leaves look-alikes alone: %s', (_label, value) => {
    expect(redact(`ref ${value} ok`)).toEqual({ text: `ref ${value} ok`, redactions: [] });
  });

  it('matches code names as whole words, in any case, with any white space inside', () => {
    expect(redact('BLUEBIRD ships; bluebird-2 too; ask about project   x.').text).toBe(
      '[REDACTED:code-name] ships; [REDACTED:code-name]-2 too; ask about [REDACTED:code-name].',
    );
    expect(redact('(Project\nX) and id=CUST-1234567890.').text).toBe('([REDACTED:code-name]) and id=[REDACTED:customer-id].');
    expect(redact('Bluebirds and bluebirding and project xy stay').redactions).toEqual([]);
  });

  it('takes regex characters in code names literally, and handles names that end in punctuation', () => {
    expect(redact('the c++ rewrite is late').text).toBe('the [REDACTED:code-name] is late');
    expect(redact('the c rewrite and cc rewrite stay').redactions).toEqual([]);
    expect(redact('Ωmega and ΩMEGA; Ωmegas stays').text).toBe('[REDACTED:code-name] and [REDACTED:code-name]; Ωmegas stays');
  });

  it('prefers the longest code name', async () => {
    const k = await createPluginTestkit(customerIds({ codeNames: ['Blue', 'Blue Falcon'] }));
    expect(k.redactText('Blue Falcon and Blue').text).toBe('[REDACTED:code-name] and [REDACTED:code-name]');
  });

  it('works without code names, and ignores the piiRedaction setting', async () => {
    const off = await createPluginTestkit(customerIds(), { piiRedaction: false });
    expect(off.redactText('CUST-123456 Bluebird')).toEqual({
      text: '[REDACTED:customer-id] Bluebird',
      redactions: [{ rule: 'customer-id', count: 1 }],
    });
  });

  it.each([
    [{ codeNames: 'Bluebird' }, /codeNames must be an array/],
    [{ codeNames: ['ok', ''] }, /codeNames\[1\] must be a non-empty string/],
    [{ codeNames: ['x'.repeat(201)] }, /codeNames\[0\] is longer than 200/],
  ])('refuses bad options with a message naming the plugin: %j', (options, message) => {
    expect(() => customerIds(options as never)).toThrow(/^customer-ids: /);
    expect(() => customerIds(options as never)).toThrow(message);
  });

  it('stays fast on adversarial input (quadratic work on 400 000 characters would take seconds)', async () => {
    const unbounded = await createPluginTestkit(customerIds({ codeNames: ['Project X'] }), { budgetMs: Infinity });
    const text = `${'CUST-'.repeat(20_000)}${'1'.repeat(100_000)}x ${'project '.repeat(20_000)}${'cust-1'.repeat(20_000)}`;
    unbounded.redactText('warm-up CUST-123456 project x');
    const started = performance.now();
    expect(unbounded.redactText(text).redactions).toEqual([]);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('stores content through the identity codec, as the server does without an encryption plugin', () => {
    const stored = kit.encode({ a: 'CUST-123456' });
    expect(new TextDecoder().decode(stored)).toBe('{"a":"CUST-123456"}');
    expect(kit.decode(stored)).toEqual({ a: 'CUST-123456' });
  });
});
