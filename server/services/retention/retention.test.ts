import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findAuditPage } from '../../db/repositories/audit-log';
import { lockTraces } from '../../db/repositories/spans';
import { expectCode } from '../../testing/audit-helpers';
import { createTestApp, INGEST, span, type GraphQLResponse, type TestApp, type TestClient } from '../../testing/test-app';
import { MAINTENANCE_LOCK } from '../background/maintenance';
import { runExclusive } from '../background/run-exclusive';
import { runRetention } from './run-retention';

// Retention per project, as a user would check it: set through updateProjectSettings, then the
// job run with rows backdated in the test (spans that started days ago): exactly the content
// past contentDays goes (tokens and cost stay, shown as removed by retention), exactly the
// traces past traceDays go, other projects are untouched, and ingest is never held up.

const DAY = 86_400_000;
const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) {
  updateProjectSettings(projectId: $p, input: $input) { id settings { retention { contentDays traceDays } } }
}`;
const READ_SETTINGS = 'query($p: ID!) { project(id: $p) { settings { retention { contentDays traceDays } } } }';
const TRACE = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) {
  id totalTokens totalCostUsd spanCount
  spans { id input output statusMessage status contentStatus contentRemovedAt promptTokens completionTokens costUsd }
} } }`;

function ok<T = any>(res: GraphQLResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}

const ago = (now: number, days: number, plusMs = 0) => new Date(now - days * DAY + plusMs).toISOString();

describe('retention settings', () => {
  let t: TestApp;
  let owner: TestClient;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ owner, projectId } = await t.projectWithKey());
  });
  afterAll(() => t.close());

  it('keep data forever by default, and change through updateProjectSettings, audited', async () => {
    expect(ok(await owner.gql(READ_SETTINGS, { p: projectId })).project.settings.retention).toEqual({ contentDays: null, traceDays: null });
    const set = ok(await owner.gql(SETTINGS, { p: projectId, input: { retention: { contentDays: 30, traceDays: 90 } } }));
    expect(set.updateProjectSettings.settings.retention).toEqual({ contentDays: 30, traceDays: 90 });
    // A field left out stays; an explicit null means forever again.
    const partial = ok(await owner.gql(SETTINGS, { p: projectId, input: { retention: { traceDays: null } } }));
    expect(partial.updateProjectSettings.settings.retention).toEqual({ contentDays: 30, traceDays: null });
    const [entry] = await findAuditPage(t.app.deps.db, projectId, { action: 'project.settings_change' }, null, 1);
    expect(entry?.details).toMatchObject({
      before: { retention: { contentDays: 30, traceDays: 90 } },
      after: { retention: { contentDays: 30, traceDays: null } },
    });
  });

  it('refuse values that are not whole days from 1 to 36500, changing nothing', async () => {
    for (const contentDays of [0, -1, 36_501]) {
      const res = await owner.gql(SETTINGS, { p: projectId, input: { retention: { contentDays } } });
      expectCode(res, 'BAD_USER_INPUT');
      expect(res.errors![0]!.message).toMatch(/retention\.contentDays must be a whole number of days/);
    }
    expectCode(await owner.gql(SETTINGS, { p: projectId, input: { retention: { traceDays: 1.5 } } }), 'BAD_USER_INPUT');
    expect(ok(await owner.gql(READ_SETTINGS, { p: projectId })).project.settings.retention).toEqual({ contentDays: 30, traceDays: null });
  });

  it('may be changed by ADMIN+ only', async () => {
    const viewer = await t.signUp('Viewer');
    ok(await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: viewer.email }));
    expectCode(await viewer.client.gql(SETTINGS, { p: projectId, input: { retention: { contentDays: 1 } } }), 'FORBIDDEN');
    // And VIEWERs read them.
    expect(ok(await viewer.client.gql(READ_SETTINGS, { p: projectId })).project.settings.retention.contentDays).toBe(30);
  });
});

describe('the retention job', () => {
  let t: TestApp;
  let owner: TestClient;
  let ingest: TestClient;
  let projectId: string;
  let other: Awaited<ReturnType<TestApp['projectWithKey']>>;
  const now = Date.now();

  const read = async (id: string) => ok(await owner.gql(TRACE, { p: projectId, id })).project.trace;
  const send = async (client: TestClient, spans: Record<string, unknown>[]) => {
    const res = ok(await client.gql(INGEST, { spans }));
    expect(res.ingest.rejected).toEqual([]);
  };
  const oldSpan = (id: string, traceId: string, days: number, extra: Record<string, unknown> = {}) =>
    span({ id, traceId, startTime: ago(now, days), endTime: ago(now, days, 500), status: 'ERROR', statusMessage: `failed on ${id}`, ...extra });

  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_REDACTION_BUDGET_MS: '10000' });
    ({ owner, ingest, projectId } = await t.projectWithKey());
    other = await t.projectWithKey();
    ok(await owner.gql(SETTINGS, { p: projectId, input: { retention: { contentDays: 30, traceDays: 90 } } }));
    await send(ingest, [
      oldSpan('fresh-1', 't-fresh', 1),
      oldSpan('content-1', 't-content', 40),
      oldSpan('content-2', 't-content', 40, { parentId: 'content-1', status: 'OK', statusMessage: null }),
      // Age is per span: the root is past contentDays, its child (started later) is not.
      oldSpan('mixed-root', 't-mixed', 35),
      oldSpan('mixed-child', 't-mixed', 20, { parentId: 'mixed-root' }),
      ...Array.from({ length: 5 }, (_, i) => oldSpan(`old-${i}`, `t-old-${i}`, 100 + i)),
      oldSpan('old-5b', 't-old-4', 95, { parentId: 'old-4' }),
    ]);
    // Another project without retention, just as old.
    await send(other.ingest, [oldSpan('o-1', 'o-old', 400)]);
  });
  afterAll(() => t.close());

  it('deletes traces past traceDays, drops content past contentDays, and touches nothing else', async () => {
    const [result, ...rest] = await runRetention(t.app.deps, { projectIds: [projectId, other.projectId], now: new Date(now), batchSize: 2 });
    expect(rest).toEqual([]); // the other project sets no retention
    expect(result).toEqual({
      projectId,
      contentDays: 30,
      traceDays: 90,
      contentRemoved: 3,
      tracesDeleted: 5,
      spansDeleted: 6,
      tracesSkipped: 0,
    });

    for (let i = 0; i < 5; i++) expect(await read(`t-old-${i}`)).toBeNull();
    const spansLeft = await t.app.deps.db.selectFrom('spans').select('id').where('project_id', '=', projectId).where('trace_id', 'like', 't-old-%').execute();
    expect(spansLeft).toEqual([]);

    const content = await read('t-content');
    expect(content.spanCount).toBe(2);
    for (const s of content.spans) {
      expect(s).toMatchObject({ input: null, output: null, statusMessage: null, contentStatus: 'REMOVED_BY_RETENTION', promptTokens: 10, completionTokens: 5 });
      expect(s.costUsd).toBeGreaterThan(0);
      expect(new Date(s.contentRemovedAt).getTime()).toBeGreaterThan(now - 60_000);
    }
    expect(content.spans.find((s: { id: string }) => s.id === 'content-1').status).toBe('ERROR');
    // Both spans report 15 tokens; the child's count once (usage is counted once, docs/otel.md).
    expect(content.totalTokens).toBe(15);

    const mixed = await read('t-mixed');
    const byId = Object.fromEntries(mixed.spans.map((s: { id: string }) => [s.id, s]));
    expect(byId['mixed-root']).toMatchObject({ input: null, contentStatus: 'REMOVED_BY_RETENTION' });
    expect(byId['mixed-child']).toMatchObject({ input: { messages: [{ role: 'user', content: 'hello' }] }, statusMessage: 'failed on mixed-child', contentStatus: 'AVAILABLE', contentRemovedAt: null });

    const fresh = await read('t-fresh');
    expect(fresh.spans[0]).toMatchObject({ output: { role: 'assistant', content: 'hi there' }, contentStatus: 'AVAILABLE' });

    const untouched = ok(await other.owner.gql(TRACE, { p: other.projectId, id: 'o-old' })).project.trace;
    expect(untouched.spans[0]).toMatchObject({ input: { messages: [{ role: 'user', content: 'hello' }] }, contentStatus: 'AVAILABLE' });
  });

  it('is audited once per run with counts, and a second run changes nothing', async () => {
    const entries = await findAuditPage(t.app.deps.db, projectId, { action: 'retention.run' }, null, 10);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_type: 'system', actor_label: 'retention', details: { contentRemoved: 3, tracesDeleted: 5, spansDeleted: 6, contentDays: 30, traceDays: 90 } });
    const [again] = await runRetention(t.app.deps, { projectIds: [projectId], now: new Date(now) });
    expect(again).toMatchObject({ contentRemoved: 0, tracesDeleted: 0, spansDeleted: 0 });
    expect(await findAuditPage(t.app.deps.db, projectId, { action: 'retention.run' }, null, 10)).toHaveLength(1);
  });

  it('shows removed content as removed, not hidden, and hidden content as hidden, not removed', async () => {
    const viewer = await t.signUp('Viewer');
    ok(await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: viewer.email }));
    ok(await owner.gql(SETTINGS, { p: projectId, input: { contentVisibility: 'ADMINS_ONLY' } }));
    const trace = ok(await viewer.client.gql(TRACE, { p: projectId, id: 't-mixed' })).project.trace;
    const byId = Object.fromEntries(trace.spans.map((s: { id: string }) => [s.id, s]));
    expect(byId['mixed-root'].contentStatus).toBe('REMOVED_BY_RETENTION');
    expect(byId['mixed-child']).toMatchObject({ contentStatus: 'HIDDEN', input: null });
    ok(await owner.gql(SETTINGS, { p: projectId, input: { contentVisibility: 'MEMBERS' } }));
  });

  it('never holds ingest up: an ingest during a long run finishes long before it', async () => {
    await send(ingest, Array.from({ length: 12 }, (_, i) => oldSpan(`late-${i}`, `t-late-${i}`, 200)));
    let retentionDoneAt = 0;
    const run = runRetention(t.app.deps, { projectIds: [projectId], now: new Date(now), batchSize: 1, pauseMs: 60 }).then((r) => {
      retentionDoneAt = Date.now();
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await send(ingest, [span({ id: 'during', traceId: 't-during', startTime: new Date().toISOString(), endTime: null })]);
    const ingestDoneAt = Date.now();
    const [result] = await run;
    expect(result!.tracesDeleted).toBe(12);
    expect(ingestDoneAt).toBeLessThan(retentionDoneAt - 200);
    expect((await read('t-during')).spanCount).toBe(1);
  });

  it('skips a trace an ingest is writing instead of waiting for it, and takes it next run', async () => {
    await send(ingest, [oldSpan('busy-1', 't-busy', 300)]);
    if (t.app.deps.dbDialect === 'postgres') {
      // An ingest of t-busy in progress: it holds the trace's lock in an open transaction.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const writer = t.app.deps.db.transaction().execute(async (trx) => {
        await lockTraces(trx, projectId, ['t-busy']);
        locked();
        await held;
      });
      await isLocked;
      const started = Date.now();
      const [during] = await runRetention(t.app.deps, { projectIds: [projectId], now: new Date(now) });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(during).toMatchObject({ tracesDeleted: 0, tracesSkipped: 1 });
      release();
      await writer;
    }
    // Embedded PGlite has one connection: ingest and retention batches simply take turns.
    const [after] = await runRetention(t.app.deps, { projectIds: [projectId], now: new Date(now) });
    expect(after).toMatchObject({ tracesDeleted: 1, tracesSkipped: 0 });
    expect(await read('t-busy')).toBeNull();
  });
});

describe('one runner across instances', () => {
  const usingPostgres = Boolean(inject('testDatabaseUrl'));
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp();
    // On Postgres a second server on the same database; embedded PGlite allows one process, so
    // there the "other instance" is a second run in the same one.
    second = usingPostgres ? await createTestApp() : first;
  });
  afterAll(async () => {
    await first.close();
    if (second !== first) await second.close();
  });

  it('a maintenance run finds the lock taken while another instance holds it, and runs once it is free', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const holder = runExclusive(first.app.deps, MAINTENANCE_LOCK, async () => {
      started();
      await held;
      return 'done';
    });
    await running;
    expect(await second.app.maintenance.runOnce({ projectIds: [] })).toEqual({ ran: false, retention: [], accessLogPruned: 0 });
    release();
    expect(await holder).toEqual({ ran: true, value: 'done' });
    expect((await second.app.maintenance.runOnce({ projectIds: [] })).ran).toBe(true);
  });
});
