import { afterEach, describe, expect, it } from 'vitest';
import { Tokentrace, type TokentraceOptions } from '../src/index.js';
import { acceptAll, sentSpans, startHttpStub, type HttpStub } from './helpers/http-stub.js';

// Redaction happens in the app's process: these tests read the raw bytes that reached the
// (stub) server and show the content is not in them at all.

const EMAIL = 'ann.lee@example.com';
const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = 4111111111111111;
const PHONE = '+1 (415) 555-2671';
const SECRET_PROMPT = 'Summarise the merger plan for ACME';
const SECRET_ANSWER = 'The merger closes on Friday';

let stub: HttpStub;
let tt: Tokentrace;

async function sendOne(options: TokentraceOptions): Promise<string> {
  stub = await startHttpStub(acceptAll);
  tt = new Tokentrace({ apiKey: 'ttk_test', endpoint: `${stub.url}/graphql`, allowInsecureLocalhost: true, onError: () => undefined, ...options });
  await tt.trace({ name: 'support', metadata: { customer: EMAIL }, input: `${SECRET_PROMPT} for ${EMAIL}` }, async () => {
    await tt.generation(
      {
        name: 'reply',
        model: 'gpt-4o-mini',
        input: [{ role: 'user', content: `${SECRET_PROMPT}. My card is ${CARD}, mail ${EMAIL}` }],
        metadata: { pan: CARD_DIGITS, note: `call ${PHONE}` },
      },
      async (gen) => {
        gen.end({ output: { role: 'assistant', content: `${SECRET_ANSWER}. I will call ${PHONE}` }, usage: { promptTokens: 20, completionTokens: 8 } });
      },
    );
    throw new Error(`lookup failed for ${EMAIL}`);
  }).catch(() => undefined);
  await tt.flush();
  expect(stub.requests.length).toBeGreaterThan(0);
  return stub.requests.map((r) => r.raw).join('\n');
}

afterEach(async () => {
  await tt.shutdown({ timeoutMs: 100 });
  await stub.close();
});

describe('client-side redaction', () => {
  it('piiRedaction: e-mail, card and phone never leave the process, in content, metadata and error messages', async () => {
    const raw = await sendOne({ piiRedaction: true });
    for (const secret of [EMAIL, CARD, String(CARD_DIGITS), '415) 555-2671', '555-2671']) expect(raw).not.toContain(secret);
    expect(raw).toContain('[REDACTED:email]');
    expect(raw).toContain('[REDACTED:card]');
    expect(raw).toContain('[REDACTED:phone]');
    // The rest of the content and all the numbers the server needs are intact.
    expect(raw).toContain(SECRET_PROMPT);
    const gen = sentSpans(stub).find((s) => s.name === 'reply');
    expect(gen).toMatchObject({ promptTokens: 20, completionTokens: 8, metadata: { pan: '[REDACTED:card]' } });
    const root = sentSpans(stub).find((s) => s.name === 'support');
    expect(root.statusMessage).toBe('lookup failed for [REDACTED:email]');
    expect(root.trace.metadata).toEqual({ customer: '[REDACTED:email]' });
  });

  it('piiRedaction: { rules } runs the rules named, opt-in ones included, and only those', async () => {
    const IBAN = 'DE89 3704 0044 0532 0130 00';
    stub = await startHttpStub(acceptAll);
    tt = new Tokentrace({ apiKey: 'ttk_test', endpoint: `${stub.url}/graphql`, allowInsecureLocalhost: true, onError: () => undefined, piiRedaction: { rules: ['iban', 'email'] } });
    tt.startSpan({ name: 'pay', input: `wire to ${IBAN}, mail ${EMAIL}, call ${PHONE}` }).end();
    await tt.flush();
    expect(sentSpans(stub)[0].input).toBe(`wire to [REDACTED:iban], mail [REDACTED:email], call ${PHONE}`);
    expect(() => new Tokentrace({ apiKey: 'k', disabled: true, piiRedaction: { rules: ['passport' as never] } })).toThrow(/piiRedaction must be/);
    expect(() => new Tokentrace({ apiKey: 'k', disabled: true, piiRedaction: { rules: [] } })).toThrow(/piiRedaction must be/);
  });

  it('sends what the plugin testkit (and so ingest) makes of the same span', async () => {
    const { createPluginTestkit } = await import('../../plugins/core/index.js');
    const { useRedaction } = await import('../../plugins/redaction/index.js');
    const rules = ['secret', 'email', 'card', 'phone', 'iban', 'ip', 'ssn'] as const;
    const content = {
      input: { messages: [{ role: 'user', content: `card ${CARD}, mail ${EMAIL}, from 192.0.2.1` }], pan: CARD_DIGITS, big: 12345678901234567890n },
      output: ['SSN 078-05-1120', { nested: { deep: `call ${PHONE}` }, n: 12, ok: true }],
      metadata: { iban: 'GB82 WEST 1234 5698 7654 32' },
    };
    const kit = await createPluginTestkit(useRedaction(), { piiRedaction: true, piiRules: rules });
    const expected = kit.redactSpan({ ...content, statusMessage: `no account for ${EMAIL}` }).span;
    stub = await startHttpStub(acceptAll);
    tt = new Tokentrace({ apiKey: 'ttk_test', endpoint: `${stub.url}/graphql`, allowInsecureLocalhost: true, onError: () => undefined, piiRedaction: { rules } });
    const span = tt.startSpan({ name: 'same', input: content.input, metadata: content.metadata });
    span.end({ output: content.output, status: 'ERROR', statusMessage: `no account for ${EMAIL}` });
    await tt.flush();
    const sent = sentSpans(stub)[0];
    expect({ input: sent.input, output: sent.output, metadata: sent.metadata, statusMessage: sent.statusMessage }).toEqual({
      input: expected.input,
      output: expected.output,
      metadata: expected.metadata,
      statusMessage: expected.statusMessage,
    });
  });

  it('without piiRedaction the same content is sent as is (the test above can fail)', async () => {
    const raw = await sendOne({});
    expect(raw).toContain(EMAIL);
    expect(raw).toContain(CARD);
  });

  it('redactInputs: no input field and no input text in any request; outputs and usage still sent', async () => {
    const raw = await sendOne({ redactInputs: true });
    expect(raw).not.toContain(SECRET_PROMPT);
    expect(raw).not.toContain(CARD);
    expect(raw).not.toMatch(/"input"\s*:/);
    expect(raw).toContain(SECRET_ANSWER);
    expect(sentSpans(stub).find((s) => s.name === 'reply')).toMatchObject({ promptTokens: 20, completionTokens: 8, model: 'gpt-4o-mini' });
  });

  it('redactOutputs: no output field and no output text; inputs still sent', async () => {
    const raw = await sendOne({ redactOutputs: true });
    expect(raw).not.toContain(SECRET_ANSWER);
    expect(raw).not.toMatch(/"output"\s*:/);
    expect(raw).toContain(SECRET_PROMPT);
  });

  it('both: only metadata, timings and tokens travel', async () => {
    const raw = await sendOne({ redactInputs: true, redactOutputs: true, piiRedaction: true });
    for (const secret of [SECRET_PROMPT, SECRET_ANSWER, EMAIL, CARD]) expect(raw).not.toContain(secret);
    expect(sentSpans(stub)).toHaveLength(2);
  });
});
