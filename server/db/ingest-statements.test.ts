import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';
import { isIngestWrite } from './repositories/spans';

// Which of ingest's statements Postgres may keep a plan for (prepared-statements.ts). The span
// upsert is planned once per connection; the statements that read the batch's traces back are
// planned on every call, because a kept plan made while a project was small scans all of its
// spans once it is large (repositories/spans.ts, INGEST_TRACE_READ).
describe("ingest's statements", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('prepares the span upsert and the key lookup, and plans the trace read-backs per call', async () => {
    const { ingest } = await t.projectWithKey();
    t.queries.length = 0;
    const res = await ingest.gql(INGEST, { spans: [span({ traceId: 'tr-a' }), span({ traceId: 'tr-a', parentId: 'p' }), span({ traceId: 'tr-b' })] });
    expect(res.data.ingest.accepted).toBe(3);
    const find = (pattern: RegExp) => {
      const found = t.queries.filter((q) => pattern.test(q));
      expect(found, String(pattern)).toHaveLength(1);
      return found[0]!;
    };
    expect(isIngestWrite(find(/^insert into "spans"/))).toBe(true);
    expect(isIngestWrite(find(/from "api_keys" inner join "projects"/))).toBe(true);
    expect(isIngestWrite(find(/with recursive reported/))).toBe(false);
    expect(isIngestWrite(find(/insert into traces/))).toBe(false);
  });
});
