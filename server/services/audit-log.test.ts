import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAudit } from '../../plugins/audit/plugin';
import { definePlugin, type AuditEvent } from '../../plugins/core/plugin';
import type { AuditLogRow } from '../db/repositories/audit-log';
import { CLIENT_IP, expectCode, globalRowsOf, GQL, ok, projectRows, REQUEST_HEADERS, USER_AGENT } from '../testing/audit-helpers';
import { createTestApp, TEST_PASSWORD, TestClient, type TestApp } from '../testing/test-app';

// Every admin change the issue lists, made through GraphQL as the dashboard makes it, yields
// exactly one audit entry with actor, IP, user agent, time, target and details — and no secret
// anywhere in the table. Sinks (a recorder, the JSON-lines file export, a failing one) see each
// committed entry once.

describe('audit entries', () => {
  const delivered: AuditEvent[] = [];
  const logLines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tokentrace-audit-'));
  const exportFile = join(dir, 'audit.jsonl');
  /** Every secret this file sees: none may reach the audit table. */
  const secrets = new Set<string>([TEST_PASSWORD]);
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(
      { TRUST_PROXY: 'true' },
      {
        logger: pino({ level: 'error' }, { write: (line: string) => void logLines.push(line) }),
        plugins: [
          useAudit({ sink: { file: exportFile } }),
          definePlugin({ name: 'recorder', auditSinks: [{ name: 'recorder', write: (e) => void delivered.push(e) }] }),
          definePlugin({
            name: 'broken-sinks',
            auditSinks: [
              { name: 'throws', write: () => { throw new Error('sink down'); } },
              { name: 'rejects', write: () => Promise.reject(new Error('sink unreachable')) },
            ],
          }),
        ],
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (client: TestClient, query: string, variables?: Record<string, unknown>) => client.gql(query, variables, REQUEST_HEADERS);

  /** Runs `change` and returns the entries it added to `rows()`: the caller expects exactly one. */
  async function onlyEntry(rows: () => Promise<AuditLogRow[]>, change: () => Promise<unknown>): Promise<AuditLogRow> {
    const before = new Set((await rows()).map((r) => String(r.id)));
    const startedAt = Date.now();
    await change();
    const added = (await rows()).filter((r) => !before.has(String(r.id)));
    expect(added, JSON.stringify(added)).toHaveLength(1);
    const entry = added[0]!;
    expect(entry.at.getTime()).toBeGreaterThanOrEqual(startedAt - 5);
    expect(entry.at.getTime()).toBeLessThanOrEqual(Date.now() + 5);
    expect(entry.ip).toBe(CLIENT_IP);
    expect(entry.user_agent).toBe(USER_AGENT);
    expect(entry.hash).toMatch(/^v2:test:[0-9a-f]{64}$/);
    return entry;
  }

  it('records each listed change once, in the transaction that made it, with who, where and what', async () => {
    const owner = await t.signUp('Owner');
    const member = await t.signUp('Member');
    const byOwner = { type: 'user', id: owner.userId, label: owner.email };

    // project create
    let projectId = '';
    const created = await onlyEntry(
      async () => (projectId ? projectRows(t, projectId) : []),
      async () => {
        projectId = ok(await call(owner.client, GQL.createProject, { name: 'audited' })).createProject.id;
      },
    );
    expect(created).toMatchObject({ project_id: projectId, action: 'project.create', target_type: 'project', target_id: projectId });
    expect(created).toMatchObject({ actor_type: 'user', actor_id: owner.userId, actor_label: owner.email, details: { name: 'audited' }, prev_hash: null });
    const inProject = () => projectRows(t, projectId);

    // API key create / rotate / revoke
    let key = { secret: '', apiKey: { id: '', prefix: '' } };
    const keyCreated = await onlyEntry(inProject, async () => {
      key = ok(await call(owner.client, GQL.createKey, { p: projectId, name: 'ci' })).createApiKey;
    });
    secrets.add(key.secret);
    expect(keyCreated).toMatchObject({ action: 'api_key.create', target_type: 'api_key', target_id: key.apiKey.id });
    expect(keyCreated.details).toEqual({ name: 'ci', prefix: key.apiKey.prefix, expiresAt: null });
    expect(keyCreated.prev_hash).toBe(created.hash);

    let rotated = { secret: '', apiKey: { id: '', prefix: '' } };
    const keyRotated = await onlyEntry(inProject, async () => {
      rotated = ok(await call(owner.client, GQL.rotateKey, { id: key.apiKey.id })).rotateApiKey;
    });
    secrets.add(rotated.secret);
    expect(keyRotated).toMatchObject({ action: 'api_key.rotate', target_id: key.apiKey.id });
    expect(keyRotated.details).toMatchObject({ name: 'ci', prefix: key.apiKey.prefix, graceSeconds: 60, newKeyId: rotated.apiKey.id, newPrefix: rotated.apiKey.prefix });

    const keyRevoked = await onlyEntry(inProject, async () => ok(await call(owner.client, GQL.revokeKey, { id: rotated.apiKey.id })));
    expect(keyRevoked).toMatchObject({ action: 'api_key.revoke', target_id: rotated.apiKey.id, details: { name: 'ci', prefix: rotated.apiKey.prefix } });
    // Revoking again changes nothing, so it records nothing.
    const revokedAgain = await inProject();
    ok(await call(owner.client, GQL.revokeKey, { id: rotated.apiKey.id }));
    expect(await inProject()).toHaveLength(revokedAgain.length);

    // members: add, role change, remove
    const added = await onlyEntry(inProject, async () =>
      ok(await call(owner.client, GQL.addMember, { p: projectId, email: member.email, role: 'VIEWER' })),
    );
    expect(added).toMatchObject({ action: 'member.add', target_type: 'user', target_id: member.userId, details: { email: member.email, role: 'VIEWER' } });
    const promoted = await onlyEntry(inProject, async () =>
      ok(await call(owner.client, GQL.updateRole, { p: projectId, u: member.userId, role: 'ADMIN' })),
    );
    expect(promoted).toMatchObject({ action: 'member.role_change', target_id: member.userId, details: { before: 'VIEWER', after: 'ADMIN' } });

    // settings, changed by the ADMIN: whole settings before and after
    const settings = await onlyEntry(inProject, async () =>
      ok(await call(member.client, GQL.updateSettings, { p: projectId, input: { piiRedaction: true, contentVisibility: 'ADMINS_ONLY' } })),
    );
    expect(settings).toMatchObject({ action: 'project.settings_change', target_type: 'project', target_id: projectId });
    expect(settings).toMatchObject({ actor_type: 'user', actor_id: member.userId, actor_label: member.email });
    const defaults = { piiRedaction: false, redactInputs: false, redactOutputs: false, contentVisibility: 'MEMBERS', customPatterns: [], piiRules: ['secret', 'email', 'card', 'phone'], retention: { contentDays: null, traceDays: null }, auditContentReads: false };
    expect(settings.details).toEqual({ before: defaults, after: { ...defaults, piiRedaction: true, contentVisibility: 'ADMINS_ONLY' } });

    const removed = await onlyEntry(inProject, async () => ok(await call(owner.client, GQL.removeMember, { p: projectId, u: member.userId })));
    expect(removed).toMatchObject({ action: 'member.remove', target_id: member.userId, details: { role: 'ADMIN' }, actor_id: owner.userId });

    // personal access tokens: on the global chain
    const mine = () => globalRowsOf(t, owner.userId);
    let token = { secret: '', token: { id: '', prefix: '' } };
    const tokenCreated = await onlyEntry(mine, async () => {
      token = ok(await call(owner.client, GQL.createToken, { name: 'laptop' })).createPersonalAccessToken;
    });
    secrets.add(token.secret);
    expect(tokenCreated).toMatchObject({ project_id: null, action: 'token.create', target_type: 'personal_access_token', target_id: token.token.id });
    expect(tokenCreated.details).toEqual({ name: 'laptop', prefix: token.token.prefix, readOnly: false, expiresAt: null });

    // A change made with the token names the token, its prefix and its user.
    const viaToken = new TestClient(t.app, token.secret);
    const byToken = await onlyEntry(inProject, async () => ok(await call(viaToken, GQL.createKey, { p: projectId, name: 'from-token' })).createApiKey);
    expect(byToken).toMatchObject({ actor_type: 'token', actor_id: token.token.id, actor_label: `${token.token.prefix} (user ${owner.userId})` });
    const tokenRevoked = await onlyEntry(mine, async () => ok(await call(owner.client, GQL.revokeToken, { id: token.token.id })));
    expect(tokenRevoked).toMatchObject({ action: 'token.revoke', target_id: token.token.id, details: { name: 'laptop', prefix: token.token.prefix } });

    // sign-out, sign-in, failed sign-in: global chain, never a password
    const signedOut = await onlyEntry(mine, async () => expect(ok(await call(owner.client, GQL.signOut)).signOut).toBe(true));
    expect(signedOut).toMatchObject({ action: 'auth.sign_out', actor_id: owner.userId, target_type: 'user', target_id: owner.userId });
    const signedIn = await onlyEntry(mine, async () =>
      ok(await call(owner.client, GQL.signIn, { input: { email: owner.email, password: TEST_PASSWORD } })),
    );
    expect(signedIn).toMatchObject({ project_id: null, action: 'auth.sign_in', ...actorColumns(byOwner), target_id: owner.userId });
    const wrongPassword = 'Tr0ub4dor&3-not-it';
    secrets.add(wrongPassword);
    const failed = await onlyEntry(mine, async () =>
      expectCode(await call(t.anonymous(), GQL.signIn, { input: { email: owner.email.toUpperCase(), password: wrongPassword } }), 'UNAUTHENTICATED'),
    );
    expect(failed).toMatchObject({ project_id: null, action: 'auth.sign_in_failed', actor_type: 'anonymous', actor_id: null, target_id: owner.userId });
    expect(failed.details).toEqual({ email: owner.email });

    // project delete: the entry outlives the project (no foreign key)
    const deleted = await onlyEntry(inProject, async () => ok(await call(owner.client, GQL.deleteProject, { p: projectId })));
    expect(deleted).toMatchObject({ action: 'project.delete', target_id: projectId, details: { name: 'audited' } });
    expect(await t.app.deps.db.selectFrom('projects').select('id').where('id', '=', projectId).execute()).toEqual([]);
    const chain = await inProject();
    expect(chain.map((r) => r.action)).toEqual([
      'project.create', 'api_key.create', 'api_key.rotate', 'api_key.revoke', 'member.add', 'member.role_change',
      'project.settings_change', 'member.remove', 'api_key.create', 'project.delete',
    ]);
    // One unbroken chain: each entry links to the one before it.
    chain.forEach((row, i) => expect(row.prev_hash).toBe(i === 0 ? null : chain[i - 1]!.hash));

    // Sinks: each committed entry delivered once, as committed; the JSON-lines file has them too.
    const ids = [...chain, tokenCreated, tokenRevoked, signedOut, signedIn, failed].map((r) => String(r.id));
    for (const id of ids) expect(delivered.filter((e) => e.id === id)).toHaveLength(1);
    const deliveredDelete = delivered.find((e) => e.id === String(deleted.id));
    expect(deliveredDelete).toMatchObject({ projectId, action: 'project.delete', hash: deleted.hash, ip: CLIENT_IP, userAgent: USER_AGENT });
    await expect.poll(() => exportedIds(exportFile).filter((id) => ids.includes(id)).length).toBe(ids.length);
    // The failing sinks were logged, and changed nothing above.
    expect(logLines.some((l) => l.includes('audit sink failed') && l.includes('sink down'))).toBe(true);
    await expect.poll(() => logLines.some((l) => l.includes('sink unreachable'))).toBe(true);
  });

  it('an unknown e-mail still records the failed sign-in, with the address typed and no target', async () => {
    const typed = `nobody-${Date.now()}@example.com`;
    expectCode(await call(t.anonymous(), GQL.signIn, { input: { email: typed, password: 'whatever-it-was' } }), 'UNAUTHENTICATED');
    const rows = await t.app.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.sign_in_failed')
      .where(sql`details->>'email'`, '=', typed)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ project_id: null, target_id: null, actor_type: 'anonymous', ip: CLIENT_IP });
  });

  it('holds no secret anywhere: keys, tokens, passwords and their hashes', async () => {
    const hashes = await t.app.deps.db.selectFrom('api_keys').select('secret_hash').execute();
    const tokenHashes = await t.app.deps.db.selectFrom('personal_access_tokens').select('secret_hash').execute();
    const everything = (await sql<{ row: string }>`select audit_log::text as row from audit_log`.execute(t.app.deps.db)).rows
      .map((r) => r.row)
      .join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    for (const secret of [...secrets, 'whatever-it-was', ...[...hashes, ...tokenHashes].map((h) => h.secret_hash)]) {
      expect(everything).not.toContain(secret);
    }
    // Nor in the export.
    const exported = readFileSync(exportFile, 'utf8');
    for (const secret of secrets) expect(exported).not.toContain(secret);
  });
});

function actorColumns(actor: { type: string; id: string; label: string }) {
  return { actor_type: actor.type, actor_id: actor.id, actor_label: actor.label };
}

function exportedIds(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
}
