import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';
import { sql } from 'kysely';
import { findApiKeyByLookupId } from './repositories/credentials';
import { isIngestWrite } from './repositories/ingest-statement-marks';
import { UPSERT_COLUMN_TYPES, upsertSpans, type RowBinding } from './repositories/spans';
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
    // A span whose parent is in the batch but in another trace.
    const res = await ingest.gql(INGEST, { spans: [span({ traceId: 'tr-a', id: 'a' }), span({ traceId: 'tr-b', parentId: 'a' }), span({ traceId: 'tr-b' })] });
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
    // The addition is not tried (trace-append-roll-up.ts): one statement rolls the traces up from
    // their spans, the usage marks and the trace rows. It is planned per call.
    const rollUps = t.queries.filter((q) => /insert into traces/.test(q));
    expect(rollUps).toHaveLength(1);
    const [full] = rollUps as [string];
    expect(isIngestWrite(full)).toBe(false);
    expect(t.queries.filter((q) => /update spans/.test(q) && !isIngestWrite(q))).toEqual([full]);
    // A batch of new spans of new, whole traces: the addition alone. It reads only by primary
    // key, so it is prepared.
    t.queries.length = 0;
    await ingest.gql(INGEST, { spans: [span({ traceId: 'tr-c', id: 'c-root' }), span({ traceId: 'tr-c', parentId: 'c-root' })] });
    const rollUp = t.queries.filter((q) => /insert into traces/.test(q));
    expect(rollUp).toHaveLength(1);
    expect(isIngestWrite(rollUp[0]!)).toBe(true);
    expect(t.queries.filter((q) => /update spans/.test(q) && !isIngestWrite(q))).toEqual([]);
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

  // Postgres binds the rows as binary arrays, PGlite as a VALUES list: both on Postgres, to compare.
  const bindings: RowBinding[] = inject('testDatabaseUrl') ? ['values', 'arrays'] : ['values'];

  it.each(bindings)('the upsert (rows bound as %s) answers only the spans that met a stored copy', async (binding) => {
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
    expect(await db.transaction().execute((trx) => upsertSpans(trx, [row('a'), row('b')], lock, [], binding))).toEqual([]);
    // The same copy again, beside a new span: the retried one is answered, as stored (the roll-up
    // must not add it to its trace's totals a second time).
    const retried = await db.transaction().execute((trx) => upsertSpans(trx, [row('a'), row('d')], lock, [], binding));
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ id: 'a', trace_id: 'tr-1', cost_usd: 0.001 });
    // A copy without tokens, naming another trace: the stored span keeps its tokens and its trace.
    const answered = await db.transaction().execute((trx) =>
      upsertSpans(trx, [row('b', { trace_id: 'tr-2', prompt_tokens: null, completion_tokens: null, total_tokens: null, cost_usd: null }), row('c')], lock, [], binding),
    );
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ id: 'b', trace_id: 'tr-1', prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.001 });
    expect(Number(answered[0]!.total_tokens)).toBe(15);
  });

  // Prepared is not enough: Postgres plans a prepared statement anew on every call while its kept
  // (generic) plan looks dearer than the ones made for each call's values. With the part for
  // traces that wait for parents (their pending parents estimated at some 900 rows) the addition's
  // did, by ~15%: a planning of a statement of some 40 relations on every batch, about 1 ms of
  // database CPU (bench:ingest). Batches of whole traces take the statement without that part.
  // Only Postgres keeps plans.
  it.runIf(Boolean(inject('testDatabaseUrl')))('the roll-up by addition runs from a kept plan', async () => {
    const { ingest } = await t.projectWithKey();
    // One batch at a time: the pool hands the same connection back (its idle list is a stack).
    for (let b = 0; b < 8; b++) {
      // bench:ingest's shape: 100 spans, 10 whole traces.
      const spans = Array.from({ length: 100 }, (_, i) => span({ traceId: `kept-${b}-${i % 10}`, id: `kept-${b}-${i}`, parentId: i < 10 ? null : `kept-${b}-${i % 10}` }));
      expect((await ingest.gql(INGEST, { spans })).data.ingest.rejected).toEqual([]);
    }
    const { rows } = await sql<{ generic: number; custom: number }>`
      select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements
      where statement like '%select applies and%'`.execute(t.app.deps.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(Math.max(...rows.map((r) => r.generic))).toBeGreaterThan(0);
  });

  // The roll-up after the upsert is planned per call from estimates that grow with the batch's
  // traces; past jit_above_cost Postgres compiled it with LLVM on every batch (40–120 ms for a
  // 1–6 ms statement). The upsert turns JIT off for its transaction, and only for it.
  it.each(bindings)('the upsert (rows bound as %s) turns JIT off for the rest of its transaction only', async (binding) => {
    const { projectId } = await t.projectWithKey();
    const jit = async (db: Parameters<typeof upsertSpans>[0]) => (await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(db)).rows[0]!.jit;
    const row: NewSpanRow = {
      project_id: projectId, id: `jit-${binding}`, trace_id: 'tr-jit', parent_id: null, kind: 'span', name: 'n', model: null, provider: null,
      input: null, output: null, metadata: null, prompt_tokens: null, completion_tokens: null, total_tokens: null, cost_usd: null,
      start_time: new Date('2026-11-30T10:00:00.000Z'), end_time: null, status: 'UNSET', status_message: null, redactions: '[]',
    };
    await t.app.deps.db.connection().execute(async (conn) => {
      await sql`set jit = on`.execute(conn);
      const inside = await conn.transaction().execute(async (trx) => {
        const before = await jit(trx);
        await upsertSpans(trx, [row], { projectId, traceIds: ['tr-jit'] }, [], binding);
        return { before, after: await jit(trx) };
      });
      expect(inside).toEqual({ before: 'on', after: 'off' });
      // The pooled connection's next user plans as the server is configured.
      expect(await jit(conn)).toBe('on');
      await sql`reset jit`.execute(conn);
    });
  });

  it.skipIf(!bindings.includes('arrays'))('both bindings store every column alike: NULLs, text beyond ASCII, bytes, JSON, milliseconds', async () => {
    const { projectId } = await t.projectWithKey();
    const db = t.app.deps.db;
    const full: Omit<NewSpanRow, 'id'> = {
      project_id: projectId, trace_id: 'tr-é', parent_id: 'parent 日本', kind: 'generation', name: 'naïve 🚀', model: 'gpt-4o-mini',
      provider: 'openai', input: Buffer.from([0, 1, 255]), output: Buffer.alloc(0), metadata: '{"k": ["v", 1.5]}', prompt_tokens: 2147483647,
      completion_tokens: 0, total_tokens: 2147483647, cache_read_tokens: 3, cache_write_tokens: null, cost_usd: 1.25e-7,
      start_time: new Date('1999-12-31T23:59:59.999Z'), end_time: new Date('2026-11-30T10:00:00.001Z'), status: 'ERROR',
      status_message: 'it\'s "broken"', redactions: '[]',
    };
    const sparse: Omit<NewSpanRow, 'id'> = {
      project_id: projectId, trace_id: 'tr-é', parent_id: null, kind: 'span', name: 'n', model: null, provider: null, input: null,
      output: null, metadata: null, prompt_tokens: null, completion_tokens: null, total_tokens: null, cost_usd: null,
      start_time: new Date('2026-11-30T10:00:00.000Z'), end_time: null, status: 'UNSET', status_message: null, redactions: '[]',
    };
    const stored = async (binding: RowBinding) => {
      const ids = [`full-${binding}`, `sparse-${binding}`];
      await db.transaction().execute((trx) =>
        upsertSpans(trx, [{ ...full, id: ids[0]! }, { ...sparse, id: ids[1]! }], { projectId, traceIds: ['tr-é'] }, [true, false], binding),
      );
      const { rows } = await sql<Record<string, unknown>>`select * from spans where project_id = ${projectId} and id in (${sql.join(ids)}) order by id`.execute(db);
      // Everything but the clock columns the database sets itself.
      return rows.map((r): Record<string, unknown> => {
        const { id, created_at: _created, updated_at: _updated, ...rest } = r;
        return { ...rest, id: String(id).replace(`-${binding}`, '') };
      });
    };
    const byValues = await stored('values');
    expect(await stored('arrays')).toEqual(byValues);
    expect(byValues[0]).toMatchObject({ name: 'naïve 🚀', prompt_tokens: 2147483647, usage_in_descendants: true });
    expect((byValues[0]!.start_time as Date).toISOString()).toBe('1999-12-31T23:59:59.999Z');
  });
});
