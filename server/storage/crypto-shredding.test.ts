import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecError, type ProjectKeys } from '../../plugins/core/codec';
import { generateKey, keyRingEntries, parseKeyRing } from '../../plugins/encryption/key-ring';
import { findAuditPage } from '../db/repositories/audit-log';
import { rewrapDataKeys } from './rewrap-data-keys';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';

// Crypto-shredding, as a user would check it: copy a project's raw ciphertexts out of the
// table (what a dump, a replica or a stolen disk image would hold), delete the project, and
// show that no key the server holds decrypts them — not the master keys, not any other
// project's data key, not a fresh key for the same project. Then the limit docs/security.md
// names: a backup that also holds the wrapped data key stays readable until the master key it
// was wrapped with is rotated out, and after that it does not.

const SECRET = 'the customer said: my card is 4111';
const DETAIL = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input output } } } }`;

interface Copied {
  id: string;
  column: 'input' | 'output';
  bytes: Buffer;
}

describe('deleting a project shreds its content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrace-shred-'));
  const OLD = `old:${generateKey()}`;
  const NEW = `new:${generateKey()}`;
  let t: TestApp;
  let doomed: Awaited<ReturnType<TestApp['projectWithKey']>>;
  let survivor: Awaited<ReturnType<TestApp['projectWithKey']>>;
  let copies: Copied[] = [];
  let backupOfWrappedKey: { id: string; wrapped: Uint8Array };

  const restart = async (keys: string) => {
    await t?.close();
    t = await createTestApp({ TOKENTRACE_DATA_DIR: dir, TOKENTRACE_ENCRYPTION_KEYS: keys, TOKENTRACE_REDACTION_BUDGET_MS: '10000' });
  };

  /** Every way the server could try to read a copied value, with every key it holds. */
  async function tryEveryKey(copy: Copied): Promise<string[]> {
    const { codec, db } = t.app.deps;
    const projectId = doomed.projectId;
    const place = { projectId, table: 'spans', rowId: copy.id, column: copy.column };
    const outcomes: string[] = [];
    let opened = 0;
    const attempt = (label: string, fn: () => unknown) => {
      try {
        fn();
        outcomes.push(`${label}: DECRYPTED`);
      } catch (err) {
        outcomes.push(`${label}: ${err instanceof CodecError ? err.reason : (err as Error).name}`);
      }
    };
    // The server's own path: the project's keys, as it would load them now (none are stored).
    await expect(t.app.deps.projectKeys.forProject(projectId, { fresh: true })).rejects.toThrow();
    attempt('no keys', () => codec.decode(copy.bytes, place));
    // Every other project's data keys, as this project's and as theirs.
    const others = await db.selectFrom('project_data_keys').select(['project_id', 'id', 'wrapped']).execute();
    expect(others.some((k) => k.project_id === projectId)).toBe(false);
    for (const project of new Set(others.map((k) => k.project_id))) {
      // Other test files share a Postgres database with keys of their own: those are not keys
      // this server holds (it cannot open them), so there is nothing to try with them.
      const keys = await t.app.deps.projectKeys.forProject(project, { fresh: true }).catch((err: unknown) => {
        if (err instanceof CodecError) return undefined;
        throw err;
      });
      if (!keys) continue;
      opened += 1;
      attempt(`keys of ${project} as ours`, () => codec.decode(copy.bytes, { ...place, keys }));
      attempt(`keys of ${project} as theirs`, () => codec.decode(copy.bytes, { ...place, projectId: project, keys }));
      // The header renamed to their current key id: their key material, our ciphertext.
      const renamed = Buffer.from(copy.bytes);
      if (keys!.currentKeyId.length === renamed[1]) renamed.write(keys!.currentKeyId, 2, 'latin1');
      attempt(`keys of ${project} renamed`, () => codec.decode(renamed, { ...place, projectId: project, keys }));
    }
    expect(opened).toBeGreaterThanOrEqual(1); // the surviving project, at least
    // A fresh data key for the same project id.
    const fresh: ProjectKeys = codec.projectKeys!.open(projectId, [codec.projectKeys!.create(projectId)]);
    attempt('a fresh key for the same project', () => codec.decode(copy.bytes, { ...place, keys: fresh }));
    // The master keys themselves, as raw AES-256-GCM keys on the ciphertext body.
    for (const entry of keyRingEntries(parseKeyRing(OLD + ',' + NEW))) {
      attempt(`master key ${entry.id} raw`, () => {
        const idLength = copy.bytes[1]!;
        const body = copy.bytes.subarray(2 + idLength);
        const decipher = createDecipheriv('aes-256-gcm', entry.key, body.subarray(0, 12));
        decipher.setAuthTag(body.subarray(body.length - 16));
        decipher.update(body.subarray(12, body.length - 16));
        decipher.final();
      });
    }
    return outcomes;
  }

  beforeAll(async () => {
    await restart(OLD);
    doomed = await t.projectWithKey();
    survivor = await t.projectWithKey();
    for (const p of [doomed, survivor]) {
      const res = await p.ingest.gql(INGEST, {
        spans: Array.from({ length: 5 }, (_, i) => span({ id: `s-${i}`, traceId: 'tr-1', input: { prompt: `${SECRET} #${i}` }, output: { text: `ok ${i}` } })),
      });
      expect(res.data.ingest.rejected).toEqual([]);
    }
    const rows = await t.app.deps.db.selectFrom('spans').select(['id', 'input', 'output']).where('project_id', '=', doomed.projectId).execute();
    copies = rows.flatMap((r) => [
      { id: r.id, column: 'input' as const, bytes: Buffer.from(r.input!) },
      { id: r.id, column: 'output' as const, bytes: Buffer.from(r.output!) },
    ]);
    const [key] = await t.app.deps.db.selectFrom('project_data_keys').select(['id', 'wrapped']).where('project_id', '=', doomed.projectId).execute();
    backupOfWrappedKey = { id: key!.id, wrapped: Buffer.from(key!.wrapped) };
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the copies decrypt while the project exists (the test would notice if they could not)', async () => {
    expect(copies).toHaveLength(10);
    const keys = await t.app.deps.projectKeys.forProject(doomed.projectId);
    const plain = t.app.deps.codec.decode(copies[0]!.bytes, { projectId: doomed.projectId, table: 'spans', rowId: copies[0]!.id, column: copies[0]!.column, keys });
    expect(new TextDecoder().decode(plain)).toContain(SECRET);
  });

  it('deleting the project destroys its wrapped key in the same audited transaction', async () => {
    const res = await doomed.owner.gql('mutation($p: ID!) { deleteProject(projectId: $p) }', { p: doomed.projectId });
    expect(res.errors).toBeUndefined();
    expect(res.data.deleteProject).toBe(true);
    const left = await t.app.deps.db.selectFrom('project_data_keys').select('id').where('project_id', '=', doomed.projectId).execute();
    expect(left).toEqual([]);
    const [entry] = await findAuditPage(t.app.deps.db, doomed.projectId, { action: 'project.delete' }, null, 1);
    expect(entry?.details).toMatchObject({ dataKeysDestroyed: 1 });
    // The audit entry names the key count, never the key.
    expect(JSON.stringify(entry)).not.toContain(Buffer.from(backupOfWrappedKey.wrapped).toString('base64'));
  });

  it('no key the server holds decrypts the copied ciphertexts', async () => {
    for (const copy of copies) {
      const outcomes = await tryEveryKey(copy);
      expect(outcomes.length).toBeGreaterThanOrEqual(7);
      expect(outcomes.filter((o) => o.endsWith('DECRYPTED')), outcomes.join('\n')).toEqual([]);
    }
    // The surviving project still reads.
    const res = await survivor.owner.gql(DETAIL, { p: survivor.projectId, id: 'tr-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data.project.trace.spans[0].input).toEqual({ prompt: `${SECRET} #0` });
  });

  it('a backup holding the wrapped key too stays readable until the master key is rotated out', async () => {
    const { codec } = t.app.deps;
    const place = { projectId: doomed.projectId, table: 'spans', rowId: copies[0]!.id, column: copies[0]!.column };
    // The limit, stated honestly: the old master key still opens the backup's wrapped key.
    const fromBackup = codec.projectKeys!.open(doomed.projectId, [backupOfWrappedKey]);
    expect(new TextDecoder().decode(codec.decode(copies[0]!.bytes, { ...place, keys: fromBackup }))).toContain(SECRET);

    // Rotate: a new master key first, the surviving projects' keys re-wrapped, the old key removed.
    await restart(`${NEW},${OLD}`);
    expect((await rewrapDataKeys({ db: t.app.deps.db, codec: t.app.deps.codec, projectIds: [survivor.projectId] })).failed).toBe(0);
    await restart(NEW);
    const after = t.app.deps.codec;
    expect(() => after.projectKeys!.open(doomed.projectId, [backupOfWrappedKey])).toThrow(/master key "old" is not in the key ring/);
    // And the survivor reads with the new master key alone.
    const owner = Object.assign(t.anonymous(), { cookie: survivor.owner.cookie });
    const res = await owner.gql(DETAIL, { p: survivor.projectId, id: 'tr-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data.project.trace.spans).toHaveLength(5);
  });
});
