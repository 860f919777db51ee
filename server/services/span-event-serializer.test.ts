import { describe, expect, it } from 'vitest';
import type { SpanModel } from './models';
import { spanEventSerializer } from './span-event-serializer';

const span: SpanModel = {
  projectId: 'p1',
  id: 's1',
  traceId: 't1',
  parentId: null,
  kind: 'GENERATION',
  name: 'chat',
  model: 'gpt-4o-mini',
  provider: 'openai',
  promptTokens: 10,
  completionTokens: 5,
  totalTokens: 15,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  reasoningTokens: null,
  costUsd: 0.0001,
  startTime: new Date('2026-11-01T10:00:00.000Z'),
  endTime: new Date('2026-11-01T10:00:01.250Z'),
  completionStartTime: null,
  status: 'OK',
  statusMessage: null,
  metadata: { at: '2026-11-01T10:00:00.000Z' },
  redactions: [{ rule: 'email', count: 1 }],
  content: { input: { sentAt: '2026-11-01T09:59:59.000Z' }, output: 'hi' },
};

describe('span event serializer', () => {
  it('round-trips a span with its Date fields as Dates', () => {
    const back = spanEventSerializer.parse(spanEventSerializer.stringify(span)) as SpanModel;
    expect(back).toEqual(span);
    expect(back.startTime).toBeInstanceOf(Date);
    expect(back.endTime!.getTime() - back.startTime.getTime()).toBe(1250);
    expect(back.completionStartTime).toBeNull();
  });

  it('revives completionStartTime when present', () => {
    const withTtft = { ...span, completionStartTime: new Date('2026-11-01T10:00:00.400Z') };
    const back = spanEventSerializer.parse(spanEventSerializer.stringify(withTtft)) as SpanModel;
    expect(back.completionStartTime).toEqual(withTtft.completionStartTime);
  });

  it('leaves date-like strings inside content and metadata alone', () => {
    const back = spanEventSerializer.parse(spanEventSerializer.stringify(span)) as SpanModel;
    expect(back.metadata).toEqual({ at: '2026-11-01T10:00:00.000Z' });
    expect(back.content!.input).toEqual({ sentAt: '2026-11-01T09:59:59.000Z' });
  });

  it('revives the Dates of every span of a batch', () => {
    const later = { ...span, id: 's2', startTime: new Date('2026-11-01T10:00:02.000Z'), endTime: null };
    const back = spanEventSerializer.parse(spanEventSerializer.stringify([span, later])) as SpanModel[];
    expect(back).toEqual([span, later]);
    expect(back[1]!.startTime).toBeInstanceOf(Date);
  });

  it('passes non-object payloads through', () => {
    expect(spanEventSerializer.parse('null')).toBeNull();
    expect(spanEventSerializer.parse('[1,2]')).toEqual([1, 2]);
  });
});
