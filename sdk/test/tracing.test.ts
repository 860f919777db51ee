import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Tokentrace, TokentraceError } from '../src/index.js';
import { acceptAll, sentSpans, startHttpStub, type HttpStub } from './helpers/http-stub.js';

// The tracing API against a capturing stub: what the app writes is what the server gets.

let stub: HttpStub;
let errors: TokentraceError[];
let tt: Tokentrace;

beforeEach(async () => {
  stub = await startHttpStub(acceptAll);
  errors = [];
  tt = new Tokentrace({ apiKey: 'ttk_test', endpoint: `${stub.url}/graphql`, allowInsecureLocalhost: true, onError: (e) => errors.push(e) });
});

afterEach(async () => {
  await tt.shutdown({ timeoutMs: 1000 });
  await stub.close();
});

describe('trace / span / generation', () => {
  it('nests spans through AsyncLocalStorage and sends trace attributes on the root', async () => {
    const result = await tt.trace({ name: 'checkout', userId: 'u-1', sessionId: 's-1', tags: ['prod'], metadata: { plan: 'pro' } }, async (trace) => {
      await tt.span({ name: 'retrieve', kind: 'RETRIEVAL' }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        await tt.generation({ name: 'answer', model: 'gpt-4o-mini', provider: 'openai', input: [{ role: 'user', content: 'hi' }] }, async (gen) => {
          gen.end({ output: { role: 'assistant', content: 'hello' }, usage: { promptTokens: 12, completionTokens: 3 } });
        });
      });
      await trace.span({ name: 'explicit child' }, () => undefined);
      return 42;
    });
    expect(result).toBe(42);
    await tt.flush();

    const spans = sentSpans(stub);
    const by = (name: string) => spans.find((s) => s.name === name);
    const root = by('checkout');
    expect(root.parentId).toBeUndefined();
    expect(root.trace).toEqual({ name: 'checkout', userId: 'u-1', sessionId: 's-1', tags: ['prod'], metadata: { plan: 'pro' } });
    expect(by('retrieve')).toMatchObject({ parentId: root.id, traceId: root.traceId, kind: 'RETRIEVAL', status: 'OK' });
    expect(by('answer')).toMatchObject({
      parentId: by('retrieve').id,
      traceId: root.traceId,
      kind: 'GENERATION',
      model: 'gpt-4o-mini',
      provider: 'openai',
      promptTokens: 12,
      completionTokens: 3,
      input: [{ role: 'user', content: 'hi' }],
      output: { role: 'assistant', content: 'hello' },
    });
    expect(by('explicit child').parentId).toBe(root.id);
    expect(by('answer').trace).toBeUndefined();
    expect(Date.parse(by('retrieve').endTime) - Date.parse(by('retrieve').startTime)).toBeGreaterThanOrEqual(4);
    expect(errors).toEqual([]);
    expect(stub.requests[0]!.headers.authorization).toBe('Bearer ttk_test');
  });

  it('keeps concurrent traces apart', async () => {
    await Promise.all(
      ['a', 'b'].map((name) =>
        tt.trace({ name }, async () => {
          await new Promise((r) => setTimeout(r, name === 'a' ? 10 : 1));
          await tt.span({ name: `${name}-child` }, () => undefined);
        }),
      ),
    );
    await tt.flush();
    const spans = sentSpans(stub);
    for (const name of ['a', 'b']) {
      const root = spans.find((s) => s.name === name);
      expect(spans.find((s) => s.name === `${name}-child`)).toMatchObject({ parentId: root.id, traceId: root.traceId });
    }
  });

  it('marks a throwing span ERROR with the message and rethrows the very same error', async () => {
    const boom = new RangeError('model overloaded');
    let caught: unknown;
    try {
      await tt.trace({ name: 'failing' }, async () => {
        await tt.generation({ name: 'llm', model: 'gpt-4o-mini' }, async () => {
          throw boom;
        });
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(boom);
    await tt.flush();
    const spans = sentSpans(stub);
    expect(spans.find((s) => s.name === 'llm')).toMatchObject({ status: 'ERROR', statusMessage: 'model overloaded' });
    expect(spans.find((s) => s.name === 'failing')).toMatchObject({ status: 'ERROR', statusMessage: 'model overloaded' });
  });

  it('supports manual spans, with an explicit parent or the active one', async () => {
    const root = tt.startTrace({ name: 'job' });
    const step = tt.startSpan({ name: 'step', parent: root });
    const gen = step.startGeneration({ name: 'call', model: 'gpt-4o' });
    gen.update({ usage: { promptTokens: 1 } });
    gen.end({ usage: { completionTokens: 2 }, status: 'ERROR', statusMessage: 'bad output' });
    gen.end({ output: 'ignored: second end' });
    step.end();
    root.end();
    await tt.trace({ name: 'ambient' }, async () => {
      tt.startSpan({ name: 'manual-in-context' }).end();
    });
    await tt.flush();
    const spans = sentSpans(stub);
    const by = (name: string) => spans.find((s) => s.name === name);
    expect(by('step').parentId).toBe(root.id);
    expect(by('call')).toMatchObject({ parentId: step.id, promptTokens: 1, completionTokens: 2, status: 'ERROR', statusMessage: 'bad output' });
    expect(by('call').output).toBeUndefined();
    expect(spans.filter((s) => s.name === 'call')).toHaveLength(1);
    expect(by('manual-in-context').parentId).toBe(by('ambient').id);
  });

  it('never throws into the app: a throwing onError and unserialisable content are absorbed', async () => {
    const t2 = new Tokentrace({
      apiKey: 'ttk_test',
      endpoint: `${stub.url}/graphql`,
      allowInsecureLocalhost: true,
      onError: () => {
        throw new Error('handler bug');
      },
    });
    const cyclic: Record<string, unknown> = { text: 'x' };
    cyclic.self = cyclic;
    const value = await t2.trace({ name: 'cyclic', input: cyclic }, () => 'ok');
    expect(value).toBe('ok');
    await t2.shutdown();
    const span = sentSpans(stub).find((s) => s.name === 'cyclic');
    expect(span).toBeDefined();
    expect(span.input).toBeUndefined(); // fail closed: left out, not sent half-walked
  });

  it('records content as it was when the span ended, not as the app later mutates it', async () => {
    const messages = [{ role: 'user', content: 'first' }];
    await tt.generation({ name: 'snap', input: messages }, (gen) => gen.end({ output: 'done' }));
    messages.push({ role: 'user', content: 'second' });
    await tt.flush();
    expect(sentSpans(stub).find((s) => s.name === 'snap').input).toEqual([{ role: 'user', content: 'first' }]);
  });
});
