import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';

// How `spans` stores its rows (migration 20261208000100): rows up to ~4 KB keep their sealed
// content inline instead of going through TOAST (the figures are in the migration).
describe('span storage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('keeps rows up to ~4 KB whole: toast_tuple_target is 4080 on spans', async () => {
    const { rows } = await sql<{ option: string }>`select unnest(reloptions) as option from pg_class where oid = 'spans'::regclass`.execute(t.app.deps.db);
    expect(rows.map((r) => r.option)).toContain('toast_tuple_target=4080');
  });

  it('stores and reads back a chat span of two ~1 KB values and one far over the target', async () => {
    const { owner, ingest, projectId } = await t.projectWithKey();
    const chat = span({ traceId: 'tr-storage', input: 'q'.repeat(1000), output: 'a'.repeat(1100) });
    const large = span({ traceId: 'tr-storage', input: 'x'.repeat(20_000), output: 'y'.repeat(9_000) });
    const res = await ingest.gql(INGEST, { spans: [chat, large] });
    expect(res.data.ingest.accepted).toBe(2);
    const read = await owner.gql('query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input output } } } }', { p: projectId, id: 'tr-storage' });
    const byId = new Map((read.data.project.trace.spans as { id: string; input: unknown; output: unknown }[]).map((s) => [s.id, s]));
    expect(byId.get(String(chat.id))).toMatchObject({ input: chat.input, output: chat.output });
    expect(byId.get(String(large.id))).toMatchObject({ input: large.input, output: large.output });
  });
});
