import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAudit } from '../../plugins/audit/plugin';
import { generateKey, parseKeyRing, type KeyRing } from '../../plugins/encryption/key-ring';
import { ConfigError, loadConfig } from '../config';
import type { AuditLogRow } from '../db/repositories/audit-log';
import { GQL, ok, projectRows } from '../testing/audit-helpers';
import { createTestApp, TEST_AUDIT_KEYS, type TestApp, type TestClient } from '../testing/test-app';
import { auditEntryHash, contentOfRow, signAuditEntry, verifyAuditChain } from './audit-chain';
import { keyLegacyAuditChains } from './audit-chain-keying';
import { checkpointProblem, newestCheckpoint } from './audit-checkpoint';
import { loadAuditKeyRing } from './audit-keys';

// The audit chain is signed with a server key kept apart from the data (TOKENTRACE_AUDIT_KEYS).
// A database superuser can disable the append-only triggers, rewrite an entry and recompute
// every link after it; without the key, verifyAuditLog still finds the rewrite. Removing the
// newest entries leaves every link intact: an exported (signed) line of the JSON-lines sink is
// the checkpoint that shows it.

const VERIFY = 'query($p: ID!) { verifyAuditLog(projectId: $p) { ok checked firstBrokenId reason } }';

/** As a database superuser: triggers off, statements, triggers on, in one transaction. */
async function asSuperuser(t: TestApp, statements: ReturnType<typeof sql>[]): Promise<void> {
  await t.app.deps.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    await sql`alter table audit_log enable trigger user`.execute(trx);
  });
}

/**
 * Rewrites `rows` from index `from` on: `change` edits the content, then every link from there
 * is recomputed with `link` — what someone with write access to the table, but without the
 * server's key, would do to hide the change.
 */
async function rewriteChain(
  t: TestApp,
  rows: AuditLogRow[],
  from: number,
  link: (content: ReturnType<typeof contentOfRow>, prev: string | null) => string,
  change: (row: AuditLogRow) => AuditLogRow = (row) => row,
): Promise<void> {
  let prev = from === 0 ? null : rows[from - 1]!.hash;
  const statements = rows.slice(from).map((original, i) => {
    const row = i === 0 ? change(original) : original;
    const hash = link(contentOfRow(row), prev);
    const statement = sql`update audit_log set details = ${row.details === null ? null : JSON.stringify(row.details)}::jsonb,
      prev_hash = ${prev}, hash = ${hash} where id = ${String(row.id)}`;
    prev = hash;
    return statement;
  });
  await asSuperuser(t, statements);
}

const renameKey = (row: AuditLogRow): AuditLogRow => ({ ...row, details: { ...(row.details as object), name: 'innocent' } });

describe('the signed audit chain', () => {
  let t: TestApp;
  let owner: TestClient;
  let keys: KeyRing;
  const exportDir = mkdtempSync(join(tmpdir(), 'tokentrace-audit-export-'));
  const exportFile = join(exportDir, 'audit.jsonl');

  beforeAll(async () => {
    t = await createTestApp({}, { plugins: [useAudit({ sink: { file: exportFile } })] });
    owner = (await t.signUp('Owner')).client;
    keys = t.app.deps.auditKeys;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(exportDir, { recursive: true, force: true });
  });

  async function projectWithEntries(): Promise<{ projectId: string; rows: AuditLogRow[] }> {
    const projectId = ok(await owner.gql(GQL.createProject, { name: 'signed' })).createProject.id as string;
    for (const name of ['a', 'b', 'c']) ok(await owner.gql(GQL.createKey, { p: projectId, name }));
    expect(ok(await owner.gql(VERIFY, { p: projectId })).verifyAuditLog).toEqual({ ok: true, checked: 4, firstBrokenId: null, reason: null });
    return { projectId, rows: await projectRows(t, projectId) };
  }

  it('signs every link with the audit key', async () => {
    const { rows } = await projectWithEntries();
    for (const row of rows) expect(row.hash).toMatch(/^v2:test:[0-9a-f]{64}$/);
    expect(rows.map((r) => r.prev_hash)).toEqual([null, ...rows.slice(0, -1).map((r) => r.hash)]);
  });

  it('finds an entry rewritten and re-linked by someone without the key', async () => {
    const { projectId, rows } = await projectWithEntries();
    const attackerKeys = parseKeyRing(`test:${generateKey()}`);
    await rewriteChain(t, rows, 1, (content, prev) => signAuditEntry(content, prev, attackerKeys), renameKey);
    expect(ok(await owner.gql(VERIFY, { p: projectId })).verifyAuditLog).toEqual({
      ok: false,
      checked: 2,
      firstBrokenId: String(rows[1]!.id),
      reason: 'its signature does not match its content: changed, or signed without the audit key',
    });
  });

  it('finds a chain rewritten in the old unsigned format, from the first entry or from the middle', async () => {
    const whole = await projectWithEntries();
    await rewriteChain(t, whole.rows, 0, auditEntryHash, renameKey);
    expect(ok(await owner.gql(VERIFY, { p: whole.projectId })).verifyAuditLog).toMatchObject({
      ok: false,
      firstBrokenId: String(whole.rows.at(-1)!.id),
      reason: expect.stringMatching(/ends with an unsigned entry/),
    });

    const tail = await projectWithEntries();
    await rewriteChain(t, tail.rows, 2, auditEntryHash, renameKey);
    expect(ok(await owner.gql(VERIFY, { p: tail.projectId })).verifyAuditLog).toMatchObject({
      ok: false,
      firstBrokenId: String(tail.rows[2]!.id),
      reason: 'it is not signed, but entries before it are',
    });
  });

  it('is only as strong as the key: re-signed with it, a rewrite passes (so keep the key out of the database)', async () => {
    const { projectId, rows } = await projectWithEntries();
    await rewriteChain(t, rows, 1, (content, prev) => signAuditEntry(content, prev, keys), renameKey);
    expect(ok(await owner.gql(VERIFY, { p: projectId })).verifyAuditLog.ok).toBe(true);
  });

  it('verifies entries signed with an older key of the ring after rotation', async () => {
    const { projectId } = await projectWithEntries();
    const rotated = parseKeyRing(`next:${generateKey()},${TEST_AUDIT_KEYS}`);
    expect(await verifyAuditChain(t.app.deps.db, projectId, rotated)).toMatchObject({ ok: true, checked: 4 });
    const without = parseKeyRing(`next:${generateKey()}`);
    expect(await verifyAuditChain(t.app.deps.db, projectId, without)).toMatchObject({
      ok: false,
      checked: 1,
      reason: 'it is signed with key "test", which is not in TOKENTRACE_AUDIT_KEYS',
    });
  });

  it('exports signed checkpoints that show the newest entries were removed', async () => {
    const { projectId, rows } = await projectWithEntries();
    // The sink writes after commit, asynchronously: wait until the newest entry is in the file.
    const newestId = String(rows.at(-1)!.id);
    let checkpoint = newestCheckpoint(readFileSync(exportFile, 'utf8'), projectId);
    for (let tries = 0; checkpoint?.id !== newestId && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      checkpoint = newestCheckpoint(readFileSync(exportFile, 'utf8'), projectId);
    }
    expect(checkpoint).toMatchObject({ id: String(rows.at(-1)!.id), hash: rows.at(-1)!.hash, prevHash: rows.at(-2)!.hash });
    expect(await checkpointProblem(t.app.deps.db, checkpoint!, keys)).toBeUndefined();

    // The newest two entries go: every remaining link is intact, so the chain alone cannot tell.
    await asSuperuser(t, [sql`delete from audit_log where id in (${String(rows[2]!.id)}, ${String(rows[3]!.id)})`]);
    expect(ok(await owner.gql(VERIFY, { p: projectId })).verifyAuditLog).toMatchObject({ ok: true, checked: 2 });
    expect(await checkpointProblem(t.app.deps.db, checkpoint!, keys)).toBe(
      `entry ${rows[3]!.id} (api_key.create, ${rows[3]!.at.toISOString()}) was exported but is missing from the database: entries were removed`,
    );

    // A checkpoint cannot be made up (or edited) without the key.
    const forged = { ...checkpoint!, id: String(rows[1]!.id), content: { ...checkpoint!.content, details: { name: 'b' } } };
    expect(await checkpointProblem(t.app.deps.db, forged, keys)).toMatch(/^the checkpoint \(entry \d+\) is not genuine: its signature does not match/);
  });
});

describe('chains written before the audit key', () => {
  // A database of its own (embedded, even in a Postgres run): whether anything is adopted
  // depends on every chain of the database, and other test files write to the shared one.
  let t: TestApp;
  let keys: KeyRing;
  beforeAll(async () => {
    t = await createTestApp({ DATABASE_URL: '' });
    keys = t.app.deps.auditKeys;
  });
  afterAll(() => t?.close());

  /** Writes a chain as a server without a key did (format 1 links). */
  async function writeUnsignedChain(projectId: string, names: string[]): Promise<string | null> {
    let prev: string | null = null;
    for (const name of names) {
      const at = new Date();
      const actor = { type: 'system', id: null, label: 'old server' };
      const content = { projectId, at, action: 'api_key.create', actor, targetType: 'api_key', targetId: null, ip: null, userAgent: null, details: { name } };
      const hash = auditEntryHash(content, prev);
      await t.app.deps.db
        .insertInto('audit_log')
        .values({
          ...{ project_id: projectId, at, action: content.action, actor_type: 'system', actor_id: null, actor_label: actor.label },
          ...{ target_type: 'api_key', target_id: null, ip: null, user_agent: null, details: JSON.stringify(content.details), prev_hash: prev, hash },
        })
        .execute();
      prev = hash;
    }
    return prev;
  }

  it('signs them on the first start with a key, vouching for them as they were, and never adopts a chain again', async () => {
    const projectId = '7a3f6c1e-2d4b-4e8a-9c5f-0b1d2e3f4a5b';
    const db = t.app.deps.db;
    const head = await writeUnsignedChain(projectId, ['old-1', 'old-2']);
    expect(await verifyAuditChain(db, projectId, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/ends with an unsigned entry/) });

    expect(await keyLegacyAuditChains(t.app.deps)).toBe(1);
    expect(await keyLegacyAuditChains(t.app.deps)).toBe(0);
    const rows = await projectRows(t, projectId);
    expect(rows.map((r) => r.action)).toEqual(['api_key.create', 'api_key.create', 'audit.chain_keyed']);
    expect(rows[2]!.details).toEqual({ unsignedHead: head });
    expect(await verifyAuditChain(db, projectId, keys)).toEqual({ ok: true, checked: 3, firstBrokenId: null, reason: null });

    // Its old entries are now vouched for: rewriting one breaks the signed entry's link.
    await rewriteChain(t, rows.slice(0, 2), 1, auditEntryHash, (row) => ({ ...row, details: { name: 'changed' } }));
    expect(await verifyAuditChain(db, projectId, keys)).toMatchObject({ ok: false, firstBrokenId: String(rows[2]!.id) });

    // A chain rewritten into the old format later is not adopted at the next start: the database
    // has signed entries, so an unsigned end can only be a rewrite.
    const other = '8b4a7d2f-3e5c-4f9b-8d6a-1c2e3f4a5b6c';
    await writeUnsignedChain(other, ['rewritten']);
    expect(await keyLegacyAuditChains(t.app.deps)).toBe(0);
    expect(await verifyAuditChain(db, other, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/ends with an unsigned entry/) });
  });
});

describe('TOKENTRACE_AUDIT_KEYS', () => {
  it('is validated at configuration time, naming the variable but never the key', () => {
    const key = generateKey();
    expect(loadConfig({ TOKENTRACE_AUDIT_KEYS: `a1:${key}` }).auditKeys).toBe(`a1:${key}`);
    for (const bad of ['a1', 'a1:short', `a1:${key},a1:${key}`, `bad id!:${key}`]) {
      let message = '';
      try {
        loadConfig({ TOKENTRACE_AUDIT_KEYS: bad });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/TOKENTRACE_AUDIT_KEYS/);
      expect(message).not.toContain(key);
    }
  });

  it('is required in production; development keeps a generated key file, readable by the owner only', () => {
    expect(() => loadAuditKeyRing(loadConfig({ NODE_ENV: 'production' }), () => {})).toThrow(/TOKENTRACE_AUDIT_KEYS must be set in production/);
    const dataDir = mkdtempSync(join(tmpdir(), 'tokentrace-audit-key-'));
    try {
      const warnings: string[] = [];
      const first = loadAuditKeyRing(loadConfig({ TOKENTRACE_DATA_DIR: dataDir }), (m) => warnings.push(m));
      const again = loadAuditKeyRing(loadConfig({ TOKENTRACE_DATA_DIR: dataDir }), () => {});
      expect(again.primary.key.export().equals(first.primary.key.export())).toBe(true);
      expect(statSync(join(dataDir, 'audit-keys')).mode & 0o777).toBe(0o600);
      expect(warnings.join()).toMatch(/set TOKENTRACE_AUDIT_KEYS/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
