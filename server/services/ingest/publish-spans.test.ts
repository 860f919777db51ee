import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../../context';
import type { SpanModel } from '../models';
import { spanEventSerializer } from '../span-event-serializer';
import { createSpanPubSub } from '../span-pubsub';
import { sourceTextOf, UnparsedContent } from './content-source-text';
import { publishSpans } from './publish-spans';

// Content a read worker left as text (content-source-text.ts) reaches live-tail subscribers as the
// value, in this process and as the JSON that carries an event to other instances (Redis, the
// cluster's relay); the value keeps its text.

const text = (value: unknown) => Buffer.from(JSON.stringify(value));

function model(id: string, input: unknown, output: unknown): SpanModel {
  return { id, projectId: 'p', traceId: 't', content: { input, output }, startTime: new Date('2026-11-01T10:00:00Z') } as unknown as SpanModel;
}

describe('publishSpans with content still as text', () => {
  const input = { messages: [{ role: 'user', content: 'ünïcode ✓' }], n: 1.5 };
  const output = [1, { ok: true }];

  it('gives a subscriber in this process the values', async () => {
    const pubsub = createSpanPubSub();
    const events = pubsub.subscribe('p');
    const next = events.next();
    publishSpans({ pubsub } as unknown as AppDeps, 'p', [model('a', new UnparsedContent(text(input)), new UnparsedContent(text(output))), model('b', 'plain', null)]);
    const first = (await next).value as SpanModel;
    expect(first.content!.input).toEqual(input);
    expect(first.content!.output).toEqual(output);
    expect(Buffer.from(sourceTextOf(first.content!.input)!).toString()).toBe(JSON.stringify(input));
    // Read twice, parsed once: the same object.
    expect(first.content!.input).toBe(first.content!.input);
    expect(((await events.next()).value as SpanModel).content).toEqual({ input: 'plain', output: null });
    await events.return();
  });

  it('writes the values into the JSON an event crosses instances as', () => {
    let sent: readonly SpanModel[] = [];
    const pubsub = { publish: (_: string, spans: readonly SpanModel[]) => void (sent = spans), subscribe: () => undefined };
    publishSpans({ pubsub } as unknown as AppDeps, 'p', [model('a', new UnparsedContent(text(input)), null)]);
    const [received] = spanEventSerializer.parse(spanEventSerializer.stringify(sent)) as SpanModel[];
    expect(received!.content).toEqual({ input, output: null });
  });
});
