import { describe, expect, it } from 'vitest';
import { useEncryption } from '../encryption/plugin';
import { useRedaction } from '../redaction/index';
import { definePlugin, type PluginSetupContext } from './plugin';
import { createPluginTestkit, TestkitRedactionError } from './testkit';

// The testkit itself: it must run a plugin the way the server does, so a green unit test means
// the plugin behaves the same at ingest.

describe('createPluginTestkit', () => {
  it('runs the built-in PII rules only when piiRedaction is on, as a project setting would', async () => {
    const span = { input: 'mail ann@example.com', metadata: { phone: '(415) 555-2671', 'ann@example.com': 'key' } };
    const off = await createPluginTestkit(useRedaction());
    expect(off.redactSpan(span)).toEqual({ span, redactions: [] });

    const on = await createPluginTestkit(useRedaction(), { piiRedaction: true });
    expect(on.redactSpan(span)).toEqual({
      span: { input: 'mail [REDACTED:email]', metadata: { phone: '[REDACTED:phone]', 'ann@example.com': 'key' } },
      redactions: [
        { rule: 'email', count: 1 },
        { rule: 'phone', count: 1 },
      ],
    });
  });

  it('skips a redactor whose appliesTo says no for the project, and surfaces an appliesTo that throws', async () => {
    let calls = 0;
    const selective = definePlugin({
      name: 'selective',
      redactors: [{ name: 'x', appliesTo: (p) => p.piiRedaction, redact: (text) => (calls++, { text: text.replace('x', '[REDACTED:x]'), hits: 1 }) }],
    });
    const off = await createPluginTestkit(selective);
    calls = 0; // the kit warms every redactor up once, as the server does
    expect(off.redactText('x').text).toBe('x');
    expect(calls).toBe(0);
    expect((await createPluginTestkit(selective, { piiRedaction: true })).redactText('x').text).toBe('[REDACTED:x]');
    const broken = definePlugin({
      name: 'broken',
      redactors: [{ name: 'y', appliesTo: () => { throw new Error('unsure'); }, redact: (text) => ({ text, hits: 0 }) }],
    });
    await expect(createPluginTestkit(broken)).rejects.toThrow(/redactor "y" of plugin "broken": appliesTo threw: unsure/);
  });

  it('leaves absent fields absent and other fields untouched, and does not mutate the span', async () => {
    const kit = await createPluginTestkit(useRedaction(), { piiRedaction: true });
    const span = { id: 's1', name: 'ann@example.com', output: ['x@example.org'], trace: { name: 'n', metadata: null } };
    const copy = structuredClone(span);
    expect(kit.redactSpan(span).span).toEqual({ ...span, output: ['[REDACTED:email]'] });
    expect(span).toEqual(copy);
  });

  it('hands a factory the setup context, with overrides, and collects its warnings', async () => {
    let seen: PluginSetupContext | undefined;
    const kit = await createPluginTestkit(
      definePlugin(async function watcher(ctx: PluginSetupContext) {
        seen = ctx;
        ctx.warn('careful');
        return { name: 'watcher' };
      }),
      { setup: { env: 'production', encryptionKeys: 'k1:abc' } },
    );
    expect(seen).toMatchObject({ env: 'production', dataDir: 'memory://', encryptionKeys: 'k1:abc' });
    expect(kit.warnings).toEqual(['careful']);
  });

  it('redacts the status message and the chosen opt-in rules, as ingest does, and refuses over-deep content', async () => {
    const kit = await createPluginTestkit(useRedaction(), { piiRedaction: true, piiRules: ['email', 'iban'] });
    expect(kit.redactSpan({ statusMessage: 'no account for ann@example.com', input: 'IBAN DE89 3704 0044 0532 0130 00, +1 415 555 2671' })).toEqual({
      span: { statusMessage: 'no account for [REDACTED:email]', input: 'IBAN [REDACTED:iban], +1 415 555 2671' },
      redactions: [
        { rule: 'email', count: 1 },
        { rule: 'iban', count: 1 },
      ],
    });
    let deep: unknown = 'x';
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => kit.redactSpan({ input: deep })).toThrow(/nested deeper than 64 levels: the server would reject this span/);
  });

  it('refuses a plugin the server would refuse, with the same message', async () => {
    await expect(createPluginTestkit({ name: 'Not Kebab' })).rejects.toThrow(/name must be kebab-case/);
    await expect(createPluginTestkit(function broken() {
      return { name: 'broken', redactors: [{ name: 'x' } as never] };
    })).rejects.toThrow(/plugin "broken": every redactor needs a name and a redact/);
    await expect(createPluginTestkit({ name: 'half', customPatterns: { syntax: 'x' } as never })).rejects.toThrow(/customPatterns needs a syntax name and check/);
  });

  it("rethrows a redactor's error naming it, with the original as the cause", async () => {
    const original = new Error('bad input');
    const kit = await createPluginTestkit({
      name: 'thrower',
      redactors: [{ name: 'boom', redact: () => { throw original; } }],
    });
    const err = (() => {
      try {
        kit.redactText('anything');
      } catch (e) {
        return e as TestkitRedactionError;
      }
    })();
    expect(err).toBeInstanceOf(TestkitRedactionError);
    expect(err?.message).toBe('redactor "boom" of plugin "thrower" threw: bad input');
    expect(err?.cause).toBe(original);
  });

  it('refuses an invalid result and enforces the per-span budget, as ingest does', async () => {
    const liar = await createPluginTestkit({ name: 'liar', redactors: [{ name: 'liar', redact: (text) => ({ text, hits: 1.5 }) }] });
    expect(() => liar.redactText('x')).toThrow(/Redactor "liar" returned an invalid result/);

    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const slow = definePlugin({ name: 'slow', redactors: [{ name: 'sloth', redact: (text: string) => (spin(30), { text, hits: 0 }) }] });
    const tight = await createPluginTestkit(slow, { budgetMs: 10 });
    expect(() => tight.redactText('x')).toThrow(/longer than the 10 ms budget \(redactor "sloth" was running\)/);
    const loose = await createPluginTestkit(slow, { budgetMs: 1000 });
    expect(loose.redactText('x').text).toBe('x');
  });

  it("encodes and decodes through the plugin's codec, which binds the value to its place", async () => {
    const kit = await createPluginTestkit(useEncryption());
    const stored = kit.encode({ secret: 'ann@example.com' }, { rowId: 'span-1', column: 'output' });
    expect(Buffer.from(stored).toString('latin1')).not.toContain('ann@example.com');
    expect(kit.decode(stored, { rowId: 'span-1', column: 'output' })).toEqual({ secret: 'ann@example.com' });
    expect(() => kit.decode(stored, { rowId: 'span-2', column: 'output' })).toThrow();

    const plain = await createPluginTestkit(useRedaction());
    expect(new TextDecoder().decode(plain.encode([1, 'a']))).toBe('[1,"a"]');
  });
});
