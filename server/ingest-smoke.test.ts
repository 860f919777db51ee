import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from './testing/test-app';

describe('ingest smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('stores the good spans of a batch and names the bad one by index', async () => {
    const { ingest } = await t.projectWithKey();
    const res = await ingest.gql(INGEST, { spans: [span(), span({ endTime: '2026-11-01T09:00:00Z' }), span()] });
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest.accepted).toBe(2);
    expect(res.data.ingest.rejected).toEqual([{ index: 1, id: expect.any(String), reason: 'endTime is before startTime' }]);
  });
});
