import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { useAudit } from '../../plugins/audit/plugin';
import { definePlugin, type AuditEvent } from '../../plugins/core/plugin';
import { issueCredential } from '../auth/secrets';
import { runVerifyAudit } from '../commands/verify-audit';
import { recordAudit, runAudited, systemActor } from './audit-log';
import { expectCode, GQL, ok, projectRows, REQUEST_HEADERS } from '../testing/audit-helpers';
import { createTestApp, TEST_AUDIT_KEYS, type TestApp, type TestClient } from '../testing/test-app';

// What makes the log trustworthy: the database refuses to change it, a change and its entry
// commit together or not at all, concurrent writers never fork a chain, and an entry altered
// behind the server's back is found by verifyAuditLog and by the CLI.

/** Runs SQL as the test's superuser with the append-only triggers off, in one transaction. */
async function behindTheServersBack(t: TestApp, statement: ReturnType<typeof sql>): Promise<void> {
  // One transaction: no other connection ever sees the triggers disabled.
  await t.app.deps.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx);
    await statement.execute(trx);
    await sql`alter table audit_log enable trigger user`.execute(trx);
  });
}

describe('audit log integrity', () => {
  const delivered: AuditEvent[] = [];
  let t: TestApp;
  let owner: TestClient;
  const call = (query: string, variables?: Record<string, unknown>) => owner.gql(query, variables, REQUEST_HEADERS);

  beforeAll(async () => {
    t = await createTestApp(
      { TRUST_PROXY: 'true' },
      { plugins: [definePlugin({ name: 'recorder', auditSinks: [{ name: 'recorder', write: (e) => void delivered.push(e) }] })] },
    );
    owner = (await t.signUp('Owner')).client;
  });
  afterAll(() => t?.close());

  async function newProject(name = 'integrity'): Promise<string> {
    return ok(await call(GQL.createProject, { name })).createProject.id as string;
  }

  it('refuses UPDATE, DELETE and TRUNCATE on audit_log', async () => {
    const projectId = await newProject();
    const db = t.app.deps.db;
    await expect(sql`update audit_log set action = 'nothing' where project_id = ${projectId}`.execute(db)).rejects.toThrow(
      /audit_log is append-only: UPDATE is not allowed/,
    );
    await expect(sql`delete from audit_log where project_id = ${projectId}`.execute(db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only: TRUNCATE/);
    expect(await projectRows(t, projectId)).toHaveLength(1);
  });

  it('a refused change records nothing: the last OWNER stays', async () => {
    const projectId = await newProject();
    const me = ok(await call('{ viewer { id } }')).viewer.id as string;
    expectCode(await call(GQL.updateRole, { p: projectId, u: me, role: 'ADMIN' }), 'BAD_USER_INPUT');
    expect((await projectRows(t, projectId)).map((r) => r.action)).toEqual(['project.create']);
  });

  it('a change whose commit fails after the audit write leaves neither the change nor the entry, and no sink hears of it', async () => {
    const projectId = await newProject();
    const fn = `fail_at_commit_${randomBytes(4).toString('hex')}`;
    // Fires at COMMIT, after the change and its entry were both written: the whole transaction
    // must go. Scoped to this project, as other test files share the database.
    await sql`create function ${sql.id(fn)}() returns trigger language plpgsql as $$ begin raise exception 'induced failure at commit'; end $$`.execute(t.app.deps.db);
    await sql`create constraint trigger ${sql.id(fn)} after insert on audit_log deferrable initially deferred
      for each row when (new.project_id = ${sql.lit(projectId)}::uuid) execute function ${sql.id(fn)}()`.execute(t.app.deps.db);
    try {
      const before = delivered.length;
      const res = await call(GQL.updateSettings, { p: projectId, input: { piiRedaction: true } });
      expectCode(res, 'INTERNAL_SERVER_ERROR');
      const res2 = await call(GQL.createKey, { p: projectId, name: 'never' });
      expectCode(res2, 'INTERNAL_SERVER_ERROR');
      expect(delivered.length).toBe(before);
    } finally {
      await sql`drop trigger ${sql.id(fn)} on audit_log`.execute(t.app.deps.db);
      await sql`drop function ${sql.id(fn)}()`.execute(t.app.deps.db);
    }
    const project = await t.app.deps.db.selectFrom('projects').select('settings').where('id', '=', projectId).executeTakeFirstOrThrow();
    expect(project.settings).toMatchObject({ piiRedaction: false });
    expect(await t.app.deps.db.selectFrom('api_keys').select('id').where('project_id', '=', projectId).execute()).toEqual([]);
    expect((await projectRows(t, projectId)).map((r) => r.action)).toEqual(['project.create']);
    // The chain goes on from its last committed entry.
    ok(await call(GQL.updateSettings, { p: projectId, input: { piiRedaction: true } }));
    expect(ok(await call(GQL.verify, { p: projectId })).verifyAuditLog).toEqual({ ok: true, checked: 2, firstBrokenId: null });
  });

  it('an audit insert that fails rolls the change back', async () => {
    const projectId = await newProject();
    const member = await t.signUp('Member');
    const fn = `refuse_audit_${randomBytes(4).toString('hex')}`;
    await sql`create function ${sql.id(fn)}() returns trigger language plpgsql as $$ begin raise exception 'induced audit failure'; end $$`.execute(t.app.deps.db);
    await sql`create trigger ${sql.id(fn)} before insert on audit_log
      for each row when (new.project_id = ${sql.lit(projectId)}::uuid) execute function ${sql.id(fn)}()`.execute(t.app.deps.db);
    try {
      expectCode(await call(GQL.addMember, { p: projectId, email: member.email, role: 'VIEWER' }), 'INTERNAL_SERVER_ERROR');
      expectCode(await call(GQL.deleteProject, { p: projectId }), 'INTERNAL_SERVER_ERROR');
    } finally {
      await sql`drop trigger ${sql.id(fn)} on audit_log`.execute(t.app.deps.db);
      await sql`drop function ${sql.id(fn)}()`.execute(t.app.deps.db);
    }
    const members = await t.app.deps.db.selectFrom('project_members').select('user_id').where('project_id', '=', projectId).execute();
    expect(members).toHaveLength(1);
    expect(await t.app.deps.db.selectFrom('projects').select('id').where('id', '=', projectId).execute()).toHaveLength(1);
  });

  it('a change by the server itself has a system actor; recordAudit refuses a transaction runAudited did not open', async () => {
    const projectId = await newProject();
    const before = delivered.length;
    const entry = { projectId, action: 'project.settings_change', targetType: 'project', targetId: projectId } as const;
    await runAudited(t.app.deps, (trx) => recordAudit(trx, systemActor('maintenance job'), entry));
    const last = (await projectRows(t, projectId)).at(-1);
    expect(last).toMatchObject({ actor_type: 'system', actor_id: null, actor_label: 'maintenance job', ip: null, user_agent: null, details: null });
    expect(delivered.slice(before).map((e) => e.id)).toEqual([String(last!.id)]);
    // Its sinks would never hear of the entry: a programming error, caught before any write.
    await expect(t.app.deps.db.transaction().execute((trx) => recordAudit(trx, systemActor('x'), entry))).rejects.toThrow(/runAudited/);
    expect(ok(await call(GQL.verify, { p: projectId })).verifyAuditLog).toEqual({ ok: true, checked: 2, firstBrokenId: null });
  });

  it('refuses details that hold a whole key or token, rolling the change back', async () => {
    const projectId = await newProject();
    const leaked = issueCredential('ttp').secret;
    const work = runAudited(t.app.deps, async (trx) => {
      await trx.updateTable('projects').set({ name: 'changed' }).where('id', '=', projectId).execute();
      await recordAudit(trx, systemActor('careless'), {
        projectId,
        action: 'project.settings_change',
        targetType: 'project',
        targetId: projectId,
        details: { nested: [{ note: `copied ${leaked} here` }] },
      });
    });
    await expect(work).rejects.toThrow('audit details of project.settings_change hold a key or token secret');
    expect((await t.app.deps.db.selectFrom('projects').select('name').where('id', '=', projectId).executeTakeFirstOrThrow()).name).toBe('integrity');
    expect(await projectRows(t, projectId)).toHaveLength(1);
  });

  it('concurrent admin changes in one project keep a single, intact chain', async () => {
    const projectId = await newProject('busy');
    const others = await Promise.all([t.signUp('A'), t.signUp('B'), t.signUp('C')]);
    const changes = [
      ...Array.from({ length: 12 }, (_, i) => call(GQL.createKey, { p: projectId, name: `k${i}` })),
      ...[true, false, true, false].map((on) => call(GQL.updateSettings, { p: projectId, input: { piiRedaction: on } })),
      ...others.map((o) => call(GQL.addMember, { p: projectId, email: o.email, role: 'VIEWER' })),
    ];
    for (const res of await Promise.all(changes)) ok(res);
    const rows = await projectRows(t, projectId);
    expect(rows).toHaveLength(1 + changes.length);
    // No fork: every entry has its own predecessor.
    expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length);
    expect(ok(await call(GQL.verify, { p: projectId })).verifyAuditLog).toEqual({ ok: true, checked: rows.length, firstBrokenId: null });
  });

  it('finds a row altered behind the server’s back, and the row after a removed one', async () => {
    const projectId = await newProject('tampered');
    for (const name of ['a', 'b', 'c']) ok(await call(GQL.createKey, { p: projectId, name }));
    ok(await call(GQL.updateSettings, { p: projectId, input: { piiRedaction: true } }));
    expect(ok(await call(GQL.verify, { p: projectId })).verifyAuditLog).toEqual({ ok: true, checked: 5, firstBrokenId: null });

    const rows = await projectRows(t, projectId);
    const altered = rows[2]!;
    await behindTheServersBack(t, sql`update audit_log set details = '{"name":"innocent"}'::jsonb where id = ${String(altered.id)}`);
    expect(ok(await call(GQL.verify, { p: projectId })).verifyAuditLog).toEqual({ ok: false, checked: 3, firstBrokenId: String(altered.id) });

    // Another project: an entry removed from the middle breaks the link of the one after it.
    const other = await newProject('gap');
    for (const name of ['a', 'b']) ok(await call(GQL.createKey, { p: other, name }));
    const [, middle, last] = await projectRows(t, other);
    await behindTheServersBack(t, sql`delete from audit_log where id = ${String(middle!.id)}`);
    expect(ok(await call(GQL.verify, { p: other })).verifyAuditLog).toEqual({ ok: false, checked: 2, firstBrokenId: String(last!.id) });
  });
});

describe('npm run audit:verify (verify-audit CLI)', () => {
  // A data folder rather than memory://, so the command can open the same embedded database.
  const dataDir = mkdtempSync(join(tmpdir(), 'tokentrace-audit-cli-'));
  const databaseUrl = inject('testDatabaseUrl');
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TOKENTRACE_DATA_DIR: dataDir,
    TOKENTRACE_AUDIT_KEYS: TEST_AUDIT_KEYS,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const out: string[] = [];
  const capture = { log: (l: string) => void out.push(l), error: (l: string) => void out.push(l) };
  let projectId = '';
  let brokenId = '';
  /** A project whose newest entry was removed after it was exported. */
  let truncatedId = '';
  let removedId = '';
  const exportFile = join(dataDir, 'audit-export.jsonl');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  beforeAll(async () => {
    const t = await createTestApp(env, { plugins: [useAudit({ sink: { file: exportFile } })] });
    try {
      const { client } = await t.signUp('Owner');
      projectId = ok(await client.gql(GQL.createProject, { name: 'cli' })).createProject.id;
      for (const name of ['a', 'b']) ok(await client.gql(GQL.createKey, { p: projectId, name }));
      const rows = await projectRows(t, projectId);
      brokenId = String(rows[1]!.id);
      await behindTheServersBack(t, sql`update audit_log set actor_label = 'someone else' where id = ${brokenId}`);
      truncatedId = ok(await client.gql(GQL.createProject, { name: 'truncated' })).createProject.id;
      for (const name of ['a', 'b']) ok(await client.gql(GQL.createKey, { p: truncatedId, name }));
      removedId = String((await projectRows(t, truncatedId)).at(-1)!.id);
      // The sink writes after commit, asynchronously: wait until the newest entry is in the file.
      for (let tries = 0; !readFileSync(exportFile, 'utf8').includes(`"id":"${removedId}"`) && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await behindTheServersBack(t, sql`delete from audit_log where id = ${removedId}`);
    } finally {
      // The embedded database admits one process at a time: the server stops before the CLI runs.
      await t.close();
    }
  });

  it('exits 1 and names the first broken entry', async () => {
    expect(await runVerifyAudit([projectId], env, capture)).toBe(1);
    expect(out.pop()).toBe(
      `the audit chain of project ${projectId} is BROKEN at entry ${brokenId} (2 entries checked): ` +
        'its signature does not match its content: changed, or signed without the audit key',
    );
    expect(await runVerifyAudit([projectId, '--json'], env, capture)).toBe(1);
    expect(JSON.parse(out.pop()!)).toMatchObject({ chain: projectId, ok: false, checked: 2, firstBrokenId: brokenId });
  });

  it('with --checkpoint, exits 1 when the newest exported entry is gone, although every link holds', async () => {
    expect(await runVerifyAudit([truncatedId], env, capture)).toBe(0);
    expect(out.pop()).toBe(`the audit chain of project ${truncatedId} is intact: 2 entries checked`);
    expect(await runVerifyAudit([truncatedId, '--checkpoint', exportFile], env, capture)).toBe(1);
    expect(out.pop()).toMatch(
      new RegExp(`^the audit chain of project ${truncatedId} does not match the checkpoint: entry ${removedId} \\(api_key.create, .+\\) was exported but is missing from the database: entries were removed$`),
    );
    expect(await runVerifyAudit(['--checkpoint', exportFile, truncatedId, '--json'], env, capture)).toBe(1);
    expect(JSON.parse(out.pop()!)).toMatchObject({ ok: true, checked: 2, checkpoint: { id: removedId, problem: expect.stringMatching(/missing/) } });
    expect(await runVerifyAudit([truncatedId, '--checkpoint'], env, capture)).toBe(2);
    expect(out.pop()).toMatch(/^usage: /);
  });

  it('exits 0 for an intact chain, and 2 for a usage error', async () => {
    expect(await runVerifyAudit(['--global'], env, capture)).toBe(0);
    expect(out.pop()).toMatch(/^the global audit chain is intact: \d+ entries checked$/);
    expect(await runVerifyAudit(['not-a-project'], env, capture)).toBe(2);
    expect(out.pop()).toMatch(/^usage: /);
  });
});
