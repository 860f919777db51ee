import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_TRACE_READ } from '../../db/repositories/ingest-statement-marks';
import { PENDING_PARENTS_KEPT, rollUpTraces } from '../../db/repositories/trace-roll-up';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';

// Ingest adds a batch of new spans to its traces' stored totals when that is what a full read of
// the traces would give (trace-append-roll-up.ts), and reads the traces whole otherwise. The full
// roll-up is the oracle: after every scenario it is run again over every trace, and must change
// nothing — no total, no bound, no usage mark, no pending parent. The scenarios are random (seeded):
// traces built in any order across batches, with retries, copies that complete an earlier span,
// parents in other traces and parents that never come, errors, spans with and without usage.

const SCENARIOS = 100;

/** mulberry32: a small seeded generator, so a failure names a scenario that can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Span = Record<string, unknown> & { id: string; traceId: string };

function scenario(seed: number): Span[][] {
  const rnd = random(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const tag = `s${seed}`;
  const traces = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, k) => `${tag}-t${k}`);
  const spans: Span[] = [];
  const count = 2 + Math.floor(rnd() * 19);
  for (let i = 0; i < count; i++) {
    const traceId = pick(traces);
    const sameTrace = spans.filter((s) => s.traceId === traceId);
    const r = rnd();
    const parentId =
      r < 0.04 ? `${tag}-ghost` : r < 0.14 && spans.length > 0 ? pick(spans).id : r < 0.18 || sameTrace.length === 0 ? null : pick(sameTrace).id;
    const usage = rnd() < 0.6;
    const startMs = Date.parse('2026-11-01T10:00:00.000Z') + Math.floor(rnd() * 60_000);
    spans.push(
      span({
        id: `${tag}-${i}`,
        traceId,
        parentId,
        name: `n${i}`,
        kind: usage ? 'GENERATION' : 'SPAN',
        promptTokens: usage ? 1 + Math.floor(rnd() * 1000) : null,
        completionTokens: usage ? 1 + Math.floor(rnd() * 100) : null,
        status: rnd() < 0.15 ? 'ERROR' : 'OK',
        startTime: new Date(startMs).toISOString(),
        endTime: rnd() < 0.1 ? null : new Date(startMs + Math.floor(rnd() * 5_000)).toISOString(),
      }) as Span,
    );
  }
  // Sent in a random order, in 1–6 batches; some spans twice (a retry), some first as a copy that
  // lacks the tokens a later copy brings.
  const order = [...spans].sort(() => rnd() - 0.5);
  const batches: Span[][] = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => []);
  for (const s of order) {
    const b = Math.floor(rnd() * batches.length);
    if (s.promptTokens !== null && rnd() < 0.1 && b + 1 < batches.length) {
      batches[b]!.push({ ...s, promptTokens: null, completionTokens: null });
      batches[b + 1]!.push(s);
    } else batches[b]!.push(s);
    if (rnd() < 0.1) pick(batches).push(s);
  }
  return batches.filter((b) => b.length > 0).map((b) => dedupe(b));
}

/** One copy per id in a batch: a later copy of the same id in one batch is another test's subject. */
function dedupe(batch: Span[]): Span[] {
  return [...new Map(batch.map((s) => [s.id, s])).values()];
}

/** A span without usage. */
const none = { promptTokens: null, completionTokens: null };

/** The full roll-up's statement: the only one of ingest's that is planned per call. */
const readWhole = (query: string) => query.startsWith(INGEST_TRACE_READ);

describe('the roll-up by addition', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const traceRows = async (projectId: string) =>
    (
      await sql<Record<string, unknown>>`
        select id, name, span_count, error_count, total_tokens::text as total_tokens, total_cost_usd, pending_parents_unknown,
               (select parents from trace_pending_parents p where p.project_id = t.project_id and p.trace_id = t.id) as pending_parents,
               start_time, end_time
        from traces t where project_id = ${projectId} order by id`.execute(t.app.deps.db)
    ).rows;
  const marks = async (projectId: string) =>
    (await sql<{ id: string; m: boolean }>`select id, usage_in_descendants as m from spans where project_id = ${projectId} order by id`.execute(t.app.deps.db)).rows;
  /** Sends one batch, which must be stored whole, and says how its traces were rolled up. */
  const sender =
    (ingest: Awaited<ReturnType<TestApp['projectWithKey']>>['ingest']) =>
    async (spans: Record<string, unknown>[]): Promise<'read' | 'added'> => {
      t.queries.length = 0;
      expect((await ingest.gql(INGEST, { spans })).data.ingest.rejected).toEqual([]);
      return t.queries.some(readWhole) ? 'read' : 'added';
    };
  const roots = async (projectId: string) =>
    (await sql<{ trace_id: string; name: string }>`select trace_id, name from spans where project_id = ${projectId} and parent_id is null`.execute(t.app.deps.db)).rows;

  it(`gives what a full read of the traces gives, in ${SCENARIOS} random scenarios`, async () => {
    let added = 0;
    let read = 0;
    for (let seed = 1; seed <= SCENARIOS; seed++) {
      const { ingest, projectId } = await t.projectWithKey();
      for (const batch of scenario(seed)) {
        t.queries.length = 0;
        const res = await ingest.gql(INGEST, { spans: batch });
        expect(res.data?.ingest.rejected, `scenario ${seed}`).toEqual([]);
        if (t.queries.some(readWhole)) read++;
        else added++;
      }
      const before = { traces: await traceRows(projectId), marks: await marks(projectId) };
      const all = before.traces.map((r) => ({ id: String(r.id), name: null, userId: null, sessionId: null, tags: [], metadata: null }));
      await t.app.deps.db.transaction().execute((trx) => rollUpTraces(trx, projectId, all));
      const after = { traces: await traceRows(projectId), marks: await marks(projectId) };
      expect(after.marks, `scenario ${seed}: usage marks`).toEqual(before.marks);
      expect(after.traces.length, `scenario ${seed}`).toBe(before.traces.length);
      after.traces.forEach((row, i) => {
        const { total_cost_usd: cost, ...rest } = row;
        const { total_cost_usd: costBefore, ...restBefore } = before.traces[i]!;
        expect(restBefore, `scenario ${seed}: trace ${String(row.id)}`).toEqual(rest);
        if (cost === null) expect(costBefore, `scenario ${seed}`).toBeNull();
        else expect(costBefore as number, `scenario ${seed}: cost of ${String(row.id)}`).toBeCloseTo(cost as number, 12);
      });
      // No explicit names here: a trace with one root span takes its name; one without roots has none.
      const rootSpans = await roots(projectId);
      for (const row of before.traces) {
        const names = rootSpans.filter((r) => r.trace_id === row.id).map((r) => r.name);
        if (names.length === 0) expect(row.name, `scenario ${seed}`).toBeNull();
        else expect(names, `scenario ${seed}: name of ${String(row.id)}`).toContain(row.name);
      }
    }
    // Both ways were taken, and often.
    expect(added).toBeGreaterThan(30);
    expect(read).toBeGreaterThan(30);
  });

  it('a trace that grows batch by batch under its root is added to, and keeps exact totals', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const send = sender(ingest);
    expect(await send([span({ id: 'root', traceId: 'long', kind: 'AGENT', name: 'agent', promptTokens: null, completionTokens: null })])).toBe('added');
    const ways = [];
    for (let b = 0; b < 5; b++) {
      ways.push(
        await send(
          Array.from({ length: 20 }, (_, i) =>
            span({ id: `c${b}-${i}`, traceId: 'long', parentId: 'root', status: i === 0 ? 'ERROR' : 'OK', startTime: `2026-11-01T10:0${b}:00.000Z`, endTime: `2026-11-01T10:0${b}:01.000Z` }),
          ),
        ),
      );
    }
    expect(ways).toEqual(['added', 'added', 'added', 'added', 'added']);
    const res = await owner.gql(`query($p: ID!) { project(id: $p) { trace(id: "long") { name spanCount errorCount totalTokens totalCostUsd startTime } } }`, {
      p: projectId,
    });
    expect(res.data.project.trace).toMatchObject({ name: 'agent', spanCount: 101, errorCount: 5, totalTokens: 100 * 15 });
    expect(res.data.project.trace.totalCostUsd).toBeCloseTo((100 * (10 * 0.15 + 5 * 0.6)) / 1e6, 12);
    // A child that reports usage under a generation that reports usage too: the generation's mark
    // must change, which only the full read does.
    await send([span({ id: 'gen', traceId: 'long', parentId: 'root' })]);
    expect(await send([span({ id: 'gen-child', traceId: 'long', parentId: 'gen' })])).toBe('read');
    const after = await owner.gql(`query($p: ID!) { project(id: $p) { trace(id: "long") { spanCount totalTokens } } }`, { p: projectId });
    // 100 children and the child of the generation; the generation is counted at its child.
    expect(after.data.project.trace).toMatchObject({ spanCount: 103, totalTokens: 101 * 15 });
  });

  it("an exporter's trace, parents after their children, is added to on every batch and counts usage once", async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const send = sender(ingest);
    const at = (id: string, parentId: string | null, extra: Record<string, unknown> = {}) => span({ id, traceId: 'otel', parentId, ...extra });
    // No row: the trace waits for no parent.
    const pending = async () =>
      (await sql<{ p: Record<string, boolean> | null }>`select parents as p from trace_pending_parents where project_id = ${projectId} and trace_id = 'otel'`.execute(t.app.deps.db))
        .rows[0]?.p ?? {};
    const ways = [];
    // Two model calls under step s1, which has not ended.
    ways.push(await send([at('l1', 's1'), at('l2', 's1')]));
    expect(await pending()).toEqual({ s1: true });
    // A tool call without usage under step s2; then a model call under the tool: the usage reaches
    // s2 through a stored span.
    ways.push(await send([at('tool', 's2', none)]));
    expect(await pending()).toEqual({ s1: true, s2: false });
    ways.push(await send([at('l3', 'tool')]));
    expect(await pending()).toEqual({ s1: true, s2: true });
    // The steps end, each under an agent call that reports usage too: a and b must be marked, from
    // usage stored below the steps.
    ways.push(await send([at('s1', 'a', none), at('a', 'root'), at('s2', 'b', none), at('b', 'root')]));
    expect(await pending()).toEqual({ root: true });
    // The root, with the run's usage summed: marked too.
    ways.push(await send([at('root', null, { kind: 'AGENT', name: 'run' })]));
    expect(ways).toEqual(['added', 'added', 'added', 'added', 'added']);
    expect(await pending()).toEqual({});
    const marked = await marks(projectId);
    expect(marked.filter((m) => m.m).map((m) => m.id)).toEqual(['a', 'b', 'root']);
    const res = await owner.gql(`query($p: ID!) { project(id: $p) { trace(id: "otel") { name spanCount totalTokens } } }`, { p: projectId });
    expect(res.data.project.trace).toEqual({ name: 'run', spanCount: 9, totalTokens: 3 * 15 });
    // And the full read finds nothing to change.
    const before = await traceRows(projectId);
    await t.app.deps.db.transaction().execute((trx) => rollUpTraces(trx, projectId, [{ id: 'otel', name: null, userId: null, sessionId: null, tags: [], metadata: null }]));
    expect(await traceRows(projectId)).toEqual(before);
    expect(await marks(projectId)).toEqual(marked);
  });

  it('a parent stored in another trace is one the trace waits for, with or without usage below it', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    const send = sender(ingest);
    expect(await send([span({ id: 'x', traceId: 'other' })])).toBe('added');
    expect(await send([span({ id: 'tool', traceId: 'linked', parentId: 'x', ...none }), span({ id: 'gen', traceId: 'linked', parentId: 'x' })])).toBe('added');
    const rows = await sql<{ trace_id: string; parents: Record<string, boolean> | null }>`
      select trace_id, parents from trace_pending_parents where project_id = ${projectId} order by trace_id`.execute(t.app.deps.db);
    expect(rows.rows).toEqual([{ trace_id: 'linked', parents: { x: true } }]);
    expect(await send([span({ id: 'tool2', traceId: 'linked2', parentId: 'x', ...none })])).toBe('added');
    const before = await traceRows(projectId);
    const all = before.map((r) => ({ id: String(r.id), name: null, userId: null, sessionId: null, tags: [], metadata: null }));
    await t.app.deps.db.transaction().execute((trx) => rollUpTraces(trx, projectId, all));
    expect(await traceRows(projectId)).toEqual(before);
    expect(before.find((r) => r.id === 'linked2')).toMatchObject({ pending_parents: { x: false } });
  });

  it(`a trace waiting for more than ${PENDING_PARENTS_KEPT} parents is read whole from then on`, async () => {
    const { ingest, projectId } = await t.projectWithKey();
    const orphans = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => span({ id: `o${from + i}`, traceId: 'wide', parentId: `missing-${from + i}` }));
    const send = sender(ingest);
    // null: not known (more than are kept).
    const pendingCount = async () => {
      const { unknown, p } = (
        await sql<{ unknown: boolean; p: Record<string, boolean> | null }>`
          select pending_parents_unknown as unknown, (select parents from trace_pending_parents where project_id = ${projectId} and trace_id = 'wide') as p
          from traces where project_id = ${projectId} and id = 'wide'`.execute(t.app.deps.db)
      ).rows[0]!;
      if (unknown) {
        expect(p).toBeNull();
        return null;
      }
      return Object.keys(p ?? {}).length;
    };
    expect(await send(orphans(0, PENDING_PARENTS_KEPT))).toBe('added');
    expect(await pendingCount()).toBe(PENDING_PARENTS_KEPT);
    // One more: the full read says they are no longer known.
    expect(await send(orphans(PENDING_PARENTS_KEPT, 1))).toBe('read');
    expect(await pendingCount()).toBeNull();
    expect(await send(orphans(PENDING_PARENTS_KEPT + 1, 1))).toBe('read');
    expect(await pendingCount()).toBeNull();
  });
});
