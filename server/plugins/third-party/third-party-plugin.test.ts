import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resealContent } from '../../storage/content-reseal';
import { rewrapDataKeys } from '../../storage/rewrap-data-keys';
import { rotateProjectDataKey } from '../../storage/rotate-data-key';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';
import { vault } from './vault-plugin';

// The plugin contract is the only door: a codec and a redactor written from plugins/core alone
// (./vault-plugin.ts) go through ingest, master-key rotation, data-key rotation and reads like
// the built-ins, and a failure of theirs reaches the reader with their own CodecError reason.

const DETAIL = 'query($p: ID!, $t: ID!) { project(id: $p) { trace(id: $t) { spans { id input output } } } }';

describe('a third-party codec and redactor, from the contract alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrace-vault-'));
  let t: TestApp;
  let projectId: string;
  let cookie: string;

  async function start(masterKeys: string[]): Promise<void> {
    await t?.close();
    t = await createTestApp({ TOKENTRACE_DATA_DIR: dir, TOKENTRACE_REDACTION_BUDGET_MS: '10000' }, { plugins: [vault({ masterKeys })] });
  }
  const read = async () => {
    const owner = Object.assign(t.anonymous(), { cookie });
    return owner.gql(DETAIL, { p: projectId, t: 'trace-1' });
  };
  const stored = () =>
    t.app.deps.db.selectFrom('spans').select(['id', 'input', 'output']).where('project_id', '=', projectId).orderBy('id').execute();
  const prefixOf = (value: Uint8Array | null) => Buffer.from(value!).subarray(0, 4).toString();

  beforeAll(async () => {
    await start(['m1']);
    const p = await t.projectWithKey();
    projectId = p.projectId;
    cookie = p.owner.cookie!;
    const res = await p.ingest.gql(INGEST, {
      spans: [
        span({ id: 's1', traceId: 'trace-1', input: { prompt: 'where is ACME-12345?' }, output: 'ACME-12345 ships today' }),
        span({ id: 's2', traceId: 'trace-1', input: 'no order here', output: null }),
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest.rejected).toEqual([]);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports nothing but the contract and node:crypto', () => {
    const source = readFileSync(join(import.meta.dirname, 'vault-plugin.ts'), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(new Set(imports)).toEqual(new Set(['node:crypto', '../../../plugins/core/index']));
  });

  it('redacts at ingest and stores through the codec; reads decode', async () => {
    const rows = await stored();
    expect(rows.map((r) => prefixOf(r.input))).toEqual(['VLT1', 'VLT1']);
    expect(Buffer.from(rows[0]!.input!).toString('latin1')).not.toContain('ACME');
    const res = await read();
    expect(res.errors).toBeUndefined();
    expect(res.data.project.trace.spans).toEqual([
      { id: 's1', input: { prompt: 'where is [REDACTED:acme-order]?' }, output: '[REDACTED:acme-order] ships today' },
      { id: 's2', input: 'no order here', output: null },
    ]);
  });

  it('survives master-key rotation (rewrap) and data-key rotation (re-seal through currentPrefix)', async () => {
    await start(['m2', 'm1']);
    const rewrap = await rewrapDataKeys({ db: t.app.deps.db, codec: t.app.deps.codec, projectIds: [projectId] });
    expect(rewrap).toMatchObject({ keys: 1, rewrapped: 1, failed: 0 });
    // Nothing of the content moved: its data key is the same, only wrapped anew.
    const reseal = await resealContent({ db: t.app.deps.db, codec: t.app.deps.codec, keyStore: t.app.deps.projectKeys, projectIds: [projectId] });
    expect(reseal).toMatchObject({ rows: 0, failed: 0, remaining: 0 });

    const before = (await stored()).map((r) => Buffer.from(r.input!).toString('latin1').split(':')[1]);
    const rotation = await rotateProjectDataKey(t.app.deps, projectId, { graceMs: 0 });
    expect(rotation.reseal).toMatchObject({ values: 3, failed: 0, remaining: 0 });
    expect(rotation.retiredKeyIds).toEqual([before[0]]);
    const after = (await stored()).map((r) => Buffer.from(r.input!).toString('latin1').split(':')[1]);
    expect(after).toEqual([rotation.newKeyId, rotation.newKeyId]);

    // The old master key is gone: everything still reads.
    await start(['m2']);
    const res = await read();
    expect(res.errors).toBeUndefined();
    expect(res.data.project.trace.spans[0].input).toEqual({ prompt: 'where is [REDACTED:acme-order]?' });
  }, 180_000);

  it("reports the codec's own CodecError reason for a value it cannot decode, and reads the rest", async () => {
    const [row] = await stored();
    const altered = Buffer.from(row!.input!);
    altered[altered.length - 20]! ^= 1;
    await t.app.deps.db.updateTable('spans').set({ input: altered }).where('project_id', '=', projectId).where('id', '=', 's1').execute();
    const res = await read();
    expect(res.data.project.trace.spans[0]).toEqual({ id: 's1', input: null, output: '[REDACTED:acme-order] ships today' });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({
      path: ['project', 'trace', 'spans', 0, 'input'],
      extensions: { code: 'CONTENT_UNREADABLE', reason: 'authentication-failed' },
    });
  });
});
