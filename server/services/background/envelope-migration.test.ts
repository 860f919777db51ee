import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnderMasterKey } from '../../../plugins/encryption/aes-gcm-codec';
import { generateKey, parseKeyRing } from '../../../plugins/encryption/key-ring';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';
import { ENVELOPE_MIGRATION, runEnvelopeMigration } from './envelope-migration';

// The data migration that comes with envelope encryption: content a server wrote before it
// (sealed with a master key directly) is moved under each project's data key by the first
// maintenance run, and the task is marked done.

const KEYS = `k1:${generateKey()}`;

describe('the envelope migration', () => {
  let t: TestApp;
  let p: Awaited<ReturnType<TestApp['projectWithKey']>>;

  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_ENCRYPTION_KEYS: KEYS });
    p = await t.projectWithKey();
    const res = await p.ingest.gql(INGEST, { spans: [0, 1, 2].map((i) => span({ id: `m-${i}`, traceId: 'tr-m', input: { n: i }, output: `out ${i}` })) });
    expect(res.data.ingest.rejected).toEqual([]);
    // As a server before envelope encryption stored it.
    const ring = parseKeyRing(KEYS);
    for (const i of [0, 1, 2]) {
      const seal = (value: unknown, column: string) =>
        encodeUnderMasterKey(ring, new TextEncoder().encode(JSON.stringify(value)), { projectId: p.projectId, table: 'spans', rowId: `m-${i}`, column });
      await t.app.deps.db.updateTable('spans').set({ input: seal({ n: i }, 'input'), output: seal(`out ${i}`, 'output') }).where('project_id', '=', p.projectId).where('id', '=', `m-${i}`).execute();
    }
    await t.app.deps.db.updateTable('maintenance_tasks').set({ done_at: null, details: null }).where('name', '=', ENVELOPE_MIGRATION).execute();
  });
  afterAll(() => t.close());

  const versions = async () =>
    (await t.app.deps.db.selectFrom('spans').select(['input', 'output']).where('project_id', '=', p.projectId).execute()).flatMap((r) => [r.input![0], r.output![0]]);

  it('moves legacy content under the project’s data key on the first maintenance run, then is done', async () => {
    expect(new Set(await versions())).toEqual(new Set([1]));
    const report = await t.app.maintenance.runOnce();
    expect(report.ran).toBe(true);
    expect(new Set(await versions())).toEqual(new Set([2]));
    const task = await t.app.deps.db.selectFrom('maintenance_tasks').selectAll().where('name', '=', ENVELOPE_MIGRATION).executeTakeFirstOrThrow();
    expect(task.done_at).not.toBeNull();
    // It reads as before.
    const read = await p.owner.gql('query($p: ID!) { project(id: $p) { trace(id: "tr-m") { spans { id input output } } } }', { p: p.projectId });
    expect(read.data.project.trace.spans).toEqual([0, 1, 2].map((i) => ({ id: `m-${i}`, input: { n: i }, output: `out ${i}` })));
    // Done means done: the next run does not walk the spans again.
    expect(await runEnvelopeMigration(t.app.deps)).toBeUndefined();
  });
});
