import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { identityCodec } from '../../plugins/core/codec';
import { createAesGcmCodec, isAesGcmCodec } from '../../plugins/encryption/aes-gcm-codec';
import { generateKey, parseKeyRing } from '../../plugins/encryption/key-ring';
import { useRedaction } from '../../plugins/redaction/index';
import { checkEmbeddedDatabase } from '../commands/rotate-keys';
import { loadConfig } from '../config';
import { loadPlugins } from '../plugins/load-plugins';
import { encodeContent } from './content';
import { rotateContentKeys, RotationRefused, type RotationProgress } from './key-rotation';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Key rotation end to end: content stored under `old`, the server restarted with [new, old],
// the rotation run (twice, and once while ingest writes), then the server restarted with
// [new] alone — and everything still reads. The data dir is real so PGlite survives restarts;
// on Postgres the run's database does. Each run is scoped to this file's projects because
// other test files share the Postgres database (with keys of their own).

const usingPostgres = Boolean(inject('testDatabaseUrl'));
// Redaction runs on ingest here too; its per-span time budget is not what these tests are
// about, and a busy test machine can stall a span past the default.
const SLOW_MACHINE = { TOKENTRACE_REDACTION_BUDGET_MS: '10000' };
const OLD = `old:${generateKey()}`;
const NEW = `new:${generateKey()}`;

const DETAIL = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input output } } } }`;

async function ingest(client: TestClient, spans: Record<string, unknown>[]): Promise<void> {
  const res = await client.gql(INGEST, { spans });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data.ingest.rejected).toEqual([]);
}

const inputOf = (id: string) => ({ prompt: `secret sauce 12345 for ${id}` });
const outputOf = (id: string) => ({ text: `reply to ${id}` });
const laterInputOf = (id: string) => ({ prompt: `secret sauce 12345, resent for ${id}` });
const laterOutputOf = (id: string) => ({ text: `completed later: ${id}` });

describe('key rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrace-rotate-'));
  let t: TestApp;
  /** Owner session cookie and ingest secret, valid across restarts (same database). */
  const projects: Record<'a' | 'b', { id: string; cookie: string; secret: string; spanIds: string[] }> = {} as never;

  async function restart(keys: string): Promise<void> {
    if (t) await t.close();
    t = await createTestApp({ ...SLOW_MACHINE, TOKENTRACE_DATA_DIR: dir, TOKENTRACE_ENCRYPTION_KEYS: keys });
  }
  const ownerOf = (p: 'a' | 'b') => Object.assign(t.anonymous(), { cookie: projects[p].cookie });
  const ingestClientOf = (p: 'a' | 'b') => Object.assign(t.anonymous(), { bearer: projects[p].secret });

  /** Key id of every stored value of a project, by span and column. */
  async function keyIds(p: 'a' | 'b'): Promise<Record<string, string>> {
    const codec = t.app.deps.codec;
    if (!isAesGcmCodec(codec)) throw new Error('expected the AES-GCM codec');
    const rows = await t.app.deps.db.selectFrom('spans').select(['id', 'input', 'output']).where('project_id', '=', projects[p].id).execute();
    const out: Record<string, string> = {};
    for (const r of rows) {
      if (r.input) out[`${r.id}.input`] = codec.keyIdOf(r.input);
      if (r.output) out[`${r.id}.output`] = codec.keyIdOf(r.output);
    }
    return out;
  }

  /** Reads every span of a project through the API (traces of 50 spans), failing on any error. */
  async function readAll(p: 'a' | 'b'): Promise<Map<string, { input: unknown; output: unknown }>> {
    const owner = ownerOf(p);
    const seen = new Map<string, { input: unknown; output: unknown }>();
    const traces = new Set(projects[p].spanIds.map((id) => traceOf(id)));
    for (const traceId of traces) {
      const res = await owner.gql(DETAIL, { p: projects[p].id, id: traceId });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      for (const s of res.data.project.trace.spans) seen.set(s.id, { input: s.input, output: s.output });
    }
    return seen;
  }
  const traceOf = (spanId: string) => `tr-${Math.floor(Number(spanId.split('-').at(-1)) / 50)}`;

  const rotate = (p: 'a' | 'b', extra: { batchRows?: number; pauseMs?: number; onProgress?: (p: RotationProgress) => void } = {}) =>
    rotateContentKeys({ db: t.app.deps.db, codec: t.app.deps.codec, projectIds: [projects[p].id], ...extra });

  beforeAll(async () => {
    await restart(OLD);
    for (const [name, count] of [['a', 120], ['b', 300]] as const) {
      const p = await t.projectWithKey();
      const spanIds = Array.from({ length: count }, (_, i) => `${name}-${i}`);
      projects[name] = { id: p.projectId, cookie: p.owner.cookie!, secret: p.secret, spanIds };
      // Every fifth span without output (null columns are left alone); project b's spans have
      // no output yet: concurrent ingest completes them during the rotation.
      const spans = spanIds.map((id, i) =>
        span({ id, traceId: traceOf(id), input: inputOf(id), output: name === 'b' || i % 5 === 0 ? null : outputOf(id) }),
      );
      for (let i = 0; i < spans.length; i += 100) await ingest(p.ingest, spans.slice(i, i + 100));
    }
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with every value under the old key', async () => {
    expect(new Set(Object.values(await keyIds('a')))).toEqual(new Set(['old']));
  });

  it('re-encrypts every value under the new key, in batches, with progress', async () => {
    await restart(`${NEW},${OLD}`);
    // Mixed rings read both kinds before rotating.
    expect((await readAll('a')).get('a-1')).toEqual({ input: inputOf('a-1'), output: outputOf('a-1') });

    const progress: RotationProgress[] = [];
    const result = await rotate('a', { batchRows: 25, onProgress: (p) => progress.push(p) });
    const values = 120 + 96; // every input, and the outputs of 4 spans in 5
    expect(result).toMatchObject({ primaryKeyId: 'new', expected: 120, rows: 120, values, failed: 0, remaining: 0 });
    expect(progress.map((p) => p.rows)).toEqual([25, 50, 75, 100, 120]);
    expect(progress.at(-1)).toMatchObject({ rows: 120, values });

    const ids = await keyIds('a');
    expect(Object.keys(ids)).toHaveLength(values);
    expect(new Set(Object.values(ids))).toEqual(new Set(['new']));
    // Project b was not in scope and is untouched.
    expect(new Set(Object.values(await keyIds('b')))).toEqual(new Set(['old']));
  });

  it('is resumable: a second run changes nothing', async () => {
    const result = await rotate('a');
    expect(result).toMatchObject({ expected: 0, rows: 0, values: 0, failed: 0, remaining: 0 });
  });

  it('runs while ingest writes, losing nothing ingest wrote', async () => {
    const { spanIds } = projects.b;
    const client = ingestClientOf('b');
    let rotationDone = false;
    let ingestedDuringRotation = 0;
    const rotation = rotate('b', { batchRows: 10, pauseMs: 20 }).finally(() => {
      rotationDone = true;
    });
    // Copies that replace the input and add the output of existing spans, and brand-new spans,
    // in small batches from both ends while the rotation walks the table. A rotation that
    // wrote back a value it read before the copy landed would lose the copy's input.
    const completed = new Set<string>();
    const writer = async (order: string[]) => {
      for (let i = 0; i < order.length; i += 15) {
        const ids = order.slice(i, i + 15);
        await ingest(client, ids.map((id) => span({ id, traceId: traceOf(id), input: laterInputOf(id), output: laterOutputOf(id) })));
        ids.forEach((id) => completed.add(id));
        if (!rotationDone) ingestedDuringRotation += ids.length;
      }
    };
    const fresh = Array.from({ length: 30 }, (_, i) => `b-${300 + i}`);
    await Promise.all([
      writer(spanIds.slice(0, 150)),
      writer(spanIds.slice(150).reverse()),
      ingest(client, fresh.map((id) => span({ id, traceId: traceOf(id), input: inputOf(id), output: outputOf(id) }))),
      rotation,
    ]);
    projects.b.spanIds.push(...fresh);
    expect(ingestedDuringRotation).toBeGreaterThan(0);
    const first = await rotation;
    expect(first).toMatchObject({ expected: 300, failed: 0 });

    // Everything reads with [new, old]; every completion ingest made survived the rotation.
    const content = await readAll('b');
    for (const id of spanIds) {
      const expected = completed.has(id)
        ? { input: laterInputOf(id), output: laterOutputOf(id) }
        : { input: inputOf(id), output: fresh.includes(id) ? outputOf(id) : null };
      expect(content.get(id)).toEqual(expected);
    }
    // Whatever a writer held at the wrong moment, a rerun finishes; nothing is left under `old`.
    const second = await rotate('b');
    expect(second).toMatchObject({ failed: 0, remaining: 0 });
    expect(new Set(Object.values(await keyIds('b')))).toEqual(new Set(['new']));
  });

  it('reads everything back with the new key alone', async () => {
    await restart(NEW);
    for (const p of ['a', 'b'] as const) {
      const content = await readAll(p);
      expect(content.size).toBe(projects[p].spanIds.length);
    }
    const a = await readAll('a');
    for (const [i, id] of projects.a.spanIds.entries()) {
      expect(a.get(id)).toEqual({ input: inputOf(id), output: i % 5 === 0 ? null : outputOf(id) });
    }
  });

  it('leaves a value it cannot decrypt as it is, and names the missing key', async () => {
    const lost = createAesGcmCodec(parseKeyRing(`lost:${generateKey()}`));
    const where = { projectId: projects.a.id, table: 'spans', rowId: 'a-7', column: 'input' };
    const sealed = encodeContent(lost, inputOf('a-7'), where)!;
    const db = t.app.deps.db;
    await db.updateTable('spans').set({ input: sealed }).where('project_id', '=', projects.a.id).where('id', '=', 'a-7').execute();

    const result = await rotate('a');
    expect(result).toMatchObject({ rows: 0, values: 0, failed: 1, failures: { 'unknown-key': 1 }, missingKeyIds: ['lost'], remaining: 1 });
    const row = await db.selectFrom('spans').select('input').where('project_id', '=', projects.a.id).where('id', '=', 'a-7').executeTakeFirstOrThrow();
    expect(Buffer.from(row.input!).equals(Buffer.from(sealed))).toBe(true);
  });

  it('caps a batch by content size as well as by rows', async () => {
    // A key the app does not hold: only the rotation's own codec matters here.
    const codec = createAesGcmCodec(parseKeyRing(`extra:${generateKey()},${NEW}`));
    const progress: RotationProgress[] = [];
    const result = await rotateContentKeys({ db: t.app.deps.db, codec, projectIds: [projects.b.id], batchBytes: 1, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ rows: projects.b.spanIds.length, failed: 0, remaining: 0 });
    // Every row is larger than one byte, so each batch holds exactly one row.
    expect(progress.map((p) => p.rows)).toEqual(projects.b.spanIds.map((_, i) => i + 1));
  });

  it.skipIf(usingPostgres)('the CLI refuses an embedded database a server has open', () => {
    const config = loadConfig({ NODE_ENV: 'test', TOKENTRACE_DATA_DIR: dir });
    expect(() => checkEmbeddedDatabase(config)).toThrow(/is open: stop the server first/);
  });

  it('refuses a codec that is not the encryption plugin’s', async () => {
    await expect(rotateContentKeys({ db: t.app.deps.db, codec: identityCodec })).rejects.toThrow(RotationRefused);
    await expect(rotateContentKeys({ db: t.app.deps.db, codec: { ...t.app.deps.codec } })).rejects.toThrow(/not the encryption plugin/);
    // A plugin list without encryption, loaded as the CLI loads the server's.
    const config = loadConfig({ NODE_ENV: 'test', TOKENTRACE_DATA_DIR: 'memory://' });
    const plugins = await loadPlugins(config, pino({ level: 'silent' }), [useRedaction()]);
    await expect(rotateContentKeys({ db: t.app.deps.db, codec: plugins.codec })).rejects.toThrow(/codec is "identity"/);
  });
});
