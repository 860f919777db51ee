import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';

// Streamed generations report when their first token came; the dashboard shows the wait.

const SPANS = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { spans { id completionStartTime timeToFirstTokenMs latencyMs } } }
}`;

describe('time to first token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('stores completionStartTime and reports the wait from the span start', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const res = await ingest.gql(INGEST, {
      spans: [
        span({ id: 'streamed', traceId: 'ttft', completionStartTime: '2026-11-01T10:00:00.340Z' }),
        span({ id: 'plain', traceId: 'ttft' }),
      ],
    });
    expect(res.data.ingest).toEqual({ accepted: 2, rejected: [] });
    const read = await owner.gql(SPANS, { p: projectId, id: 'ttft' });
    const byId = Object.fromEntries(read.data.project.trace.spans.map((s: { id: string }) => [s.id, s]));
    expect(byId.streamed).toMatchObject({ completionStartTime: '2026-11-01T10:00:00.340Z', timeToFirstTokenMs: 340, latencyMs: 1250 });
    expect(byId.plain).toMatchObject({ completionStartTime: null, timeToFirstTokenMs: null });
  });

  it('a later copy of the span can add the time, and an impossible time rejects only that span', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    await ingest.gql(INGEST, { spans: [span({ id: 'later', traceId: 'ttft2', endTime: null })] });
    const res = await ingest.gql(INGEST, {
      spans: [
        span({ id: 'later', traceId: 'ttft2', completionStartTime: '2026-11-01T10:00:00.100Z' }),
        span({ id: 'too-early', traceId: 'ttft2', completionStartTime: '2026-11-01T09:59:59.000Z' }),
        span({ id: 'too-late', traceId: 'ttft2', completionStartTime: '2026-11-01T10:00:05.000Z' }),
      ],
    });
    expect(res.data.ingest.accepted).toBe(1);
    expect(res.data.ingest.rejected).toEqual([
      { index: 1, id: 'too-early', reason: 'completionStartTime is before startTime' },
      { index: 2, id: 'too-late', reason: 'completionStartTime is after endTime' },
    ]);
    const read = await owner.gql(SPANS, { p: projectId, id: 'ttft2' });
    expect(read.data.project.trace.spans).toEqual([
      { id: 'later', completionStartTime: '2026-11-01T10:00:00.100Z', timeToFirstTokenMs: 100, latencyMs: 1250 },
    ]);
  });
});
