import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';
import { sql } from 'kysely';
import { findApiKeyByLookupId } from './repositories/credentials';
import { isIngestWrite } from './repositories/ingest-statement-marks';
import { UPSERT_COLUMN_TYPES, upsertSpans } from './repositories/spans';
import type { NewSpanRow } from './tables';

// Which of ingest's statements Postgres may keep a plan for (prepared-statements.ts). The span
// upsert is planned once per connection; the statements that read the batch's traces back are
// planned on every call, because a kept plan made while a project was small scans all of its
// spans once it is large (repositories/ingest-statement-marks.ts, INGEST_TRACE_READ).
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
    // The upsert takes the batch's trace locks itself: no statement of their own.
    expect(isIngestWrite(find(/insert into "spans"/))).toBe(true);
    expect(t.queries.filter((q) => /pg_advisory_xact_lock/.test(q))).toEqual([find(/insert into "spans"/)]);
    expect(isIngestWrite(find(/from "api_keys" k inner join "projects"/))).toBe(true);
    // One statement rolls the traces up: the usage marks and the trace rows.
    expect(isIngestWrite(find(/insert into traces/))).toBe(false);
    expect(t.queries.filter((q) => /update spans/.test(q))).toEqual([find(/insert into traces/)]);
  });

  it('the key lookup names every column of api_keys (a prepared `*` would break on a new column)', async () => {
    await t.projectWithKey();
    const db = t.app.deps.db;
    const { rows } = await sql<{ lookup_id: string }>`select * from api_keys limit 1`.execute(db);
    const found = await findApiKeyByLookupId(db, rows[0]!.lookup_id);
    expect(Object.keys(found!).sort()).toEqual([...Object.keys(rows[0]!), 'project_settings'].sort());
  });

  it('the upsert types its VALUES as the columns of spans are typed', async () => {
    const { rows } = await sql<{ column_name: string; type: string }>`
      select a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
      from pg_attribute a where a.attrelid = 'spans'::regclass and a.attnum > 0 and not a.attisdropped`.execute(t.app.deps.db);
    const tableTypes = new Map(rows.map((r) => [r.column_name, r.type]));
    for (const [column, type] of Object.entries(UPSERT_COLUMN_TYPES)) expect(type, column).toBe(tableTypes.get(column));
  });

  it('the upsert answers only the spans stored otherwise than their rows say', async () => {
    const { projectId } = await t.projectWithKey();
    const db = t.app.deps.db;
    const row = (id: string, patch: Partial<NewSpanRow> = {}): NewSpanRow => ({
      project_id: projectId, id, trace_id: 'tr-1', parent_id: null, kind: 'generation', name: id, model: 'gpt-4o-mini',
      provider: null, input: null, output: null, metadata: null, prompt_tokens: 10, completion_tokens: 5, total_tokens: 15,
      cost_usd: 0.001, start_time: new Date('2026-11-30T10:00:00.000Z'), end_time: null, status: 'OK', status_message: null,
      redactions: '[]', ...patch,
    });
    const lock = { projectId, traceIds: ['tr-1', 'tr-2'] };
    // New spans are stored as sent: nothing to answer.
    expect(await db.transaction().execute((trx) => upsertSpans(trx, [row('a'), row('b')], lock))).toEqual([]);
    // The same copy again: still as sent.
    expect(await db.transaction().execute((trx) => upsertSpans(trx, [row('a')], lock))).toEqual([]);
    // A copy without tokens, naming another trace: the stored span keeps its tokens and its trace.
    const answered = await db.transaction().execute((trx) =>
      upsertSpans(trx, [row('b', { trace_id: 'tr-2', prompt_tokens: null, completion_tokens: null, total_tokens: null, cost_usd: null }), row('c')], lock),
    );
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ id: 'b', trace_id: 'tr-1', prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.001 });
    expect(Number(answered[0]!.total_tokens)).toBe(15);
  });
});
