import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';

// Several senders (SDK instances, retries, a serverless fleet) write spans of the same trace at
// once. The trace's totals must count every span, whichever batch commits last.

const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { spanCount errorCount totalTokens startTime endTime } }
}`;

describe('concurrent batches of one trace', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('roll up to totals that count every span of every batch', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const batches = 12;
    const perBatch = 5;
    const results = await Promise.all(
      Array.from({ length: batches }, (_, b) =>
        ingest.gql(INGEST, {
          spans: Array.from({ length: perBatch }, (_, i) =>
            span({
              id: `b${b}-s${i}`,
              traceId: 'shared',
              parentId: b === 0 && i === 0 ? null : 'b0-s0',
              promptTokens: 10,
              completionTokens: 5,
              status: i === 0 ? 'ERROR' : 'OK',
              startTime: `2026-11-01T10:00:${String(b).padStart(2, '0')}.000Z`,
              endTime: `2026-11-01T10:01:${String(b).padStart(2, '0')}.000Z`,
            }),
          ),
        }),
      ),
    );
    for (const res of results) expect(res.data?.ingest, JSON.stringify(res.errors)).toEqual({ accepted: perBatch, rejected: [] });

    const read = await owner.gql(TRACE, { p: projectId, id: 'shared' });
    expect(read.data.project.trace).toEqual({
      spanCount: batches * perBatch,
      errorCount: batches,
      // Every span but the root: its usage is also reported by the spans below it, so it is
      // counted there, once (docs/otel.md) — whichever batch brought the root or its children.
      totalTokens: (batches * perBatch - 1) * 15,
      startTime: '2026-11-01T10:00:00.000Z',
      endTime: `2026-11-01T10:01:${String(batches - 1).padStart(2, '0')}.000Z`,
    });
  });
});
