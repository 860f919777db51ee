import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { identityCodec } from '../../plugins/core/codec';
import { createAesGcmCodec, encodeUnderMasterKey } from '../../plugins/encryption/aes-gcm-codec';
import { generateKey, parseKeyRing } from '../../plugins/encryption/key-ring';
import { useRedaction } from '../../plugins/redaction/plugin';
import { checkEmbeddedDatabase } from '../commands/embedded-database';
import { loadConfig } from '../config';
import { loadPlugins } from '../plugins/load-plugins';
import { findAuditPage } from '../db/repositories/audit-log';
import { resealContent, ResealRefused, type ResealProgress } from './content-reseal';
import { createProjectKeyStore } from './project-keys';
import { rewrapDataKeys } from './rewrap-data-keys';
import { rotateProjectDataKey } from './rotate-data-key';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Key rotation end to end, under envelope encryption. Master keys: content under `old`'s data
// keys, the server restarted with [new, old], the data keys re-wrapped (content bytes
// untouched), then the server restarted with [new] alone — everything still reads. Legacy
// content sealed with a master key directly is moved under the data keys, also while ingest
// writes. Data keys: a project's content moves to a new data key and the old one is destroyed.
// The data dir is real so PGlite survives restarts; on Postgres the run's database does. Each
// run is scoped to this file's projects because other test files share the Postgres database.

const usingPostgres = Boolean(inject('testDatabaseUrl'));
// Redaction runs on ingest here too; its per-span time budget is not what these tests are about.
const SLOW_MACHINE = { TOKENTRACE_REDACTION_BUDGET_MS: '10000' };
const OLD = `old:${generateKey()}`;
const NEW = `new:${generateKey()}`;
/** Reads key ids out of stored values (headers only; no key needed). */
const headers = createAesGcmCodec(parseKeyRing(`x:${generateKey()}`));

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
const traceOf = (spanId: string) => `tr-${Math.floor(Number(spanId.split('-').at(-1)) / 50)}`;

describe('key rotation under envelope encryption', () => {
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
  const rows = (p: 'a' | 'b') =>
    t.app.deps.db.selectFrom('spans').select(['id', 'input', 'output']).where('project_id', '=', projects[p].id).orderBy('id').execute();
  const dataKeys = (p: 'a' | 'b') =>
    t.app.deps.db.selectFrom('project_data_keys').selectAll().where('project_id', '=', projects[p].id).orderBy('generation', 'desc').execute();

  /** Key id of every stored value of a project, by span and column. */
  async function keyIds(p: 'a' | 'b'): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const r of await rows(p)) {
      if (r.input) out[`${r.id}.input`] = headers.keyIdOf(r.input);
      if (r.output) out[`${r.id}.output`] = headers.keyIdOf(r.output);
    }
    return out;
  }

  /** Reads every span of a project through the API, failing on any error. */
  async function readAll(p: 'a' | 'b'): Promise<Map<string, { input: unknown; output: unknown }>> {
    const owner = ownerOf(p);
    const seen = new Map<string, { input: unknown; output: unknown }>();
    for (const traceId of new Set(projects[p].spanIds.map(traceOf))) {
      const res = await owner.gql(DETAIL, { p: projects[p].id, id: traceId });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      for (const s of res.data.project.trace.spans) seen.set(s.id, { input: s.input, output: s.output });
    }
    return seen;
  }

  const reseal = (p: 'a' | 'b', extra: { batchRows?: number; pauseMs?: number; batchBytes?: number; onProgress?: (p: ResealProgress) => void } = {}) =>
    resealContent({ db: t.app.deps.db, codec: t.app.deps.codec, keyStore: t.app.deps.projectKeys, projectIds: [projects[p].id], ...extra });

  /** Seals a project's content the way servers did before envelope encryption: master key `old` directly. */
  async function makeLegacy(p: 'a' | 'b'): Promise<void> {
    const ring = parseKeyRing(OLD);
    const projectId = projects[p].id;
    for (const r of await rows(p)) {
      const seal = (value: unknown, column: string) =>
        value == null ? null : encodeUnderMasterKey(ring, new TextEncoder().encode(JSON.stringify(value)), { projectId, table: 'spans', rowId: r.id, column });
      await t.app.deps.db
        .updateTable('spans')
        .set({ input: r.input && seal(inputOf(r.id), 'input'), output: r.output && seal(outputOf(r.id), 'output') })
        .where('project_id', '=', projectId)
        .where('id', '=', r.id)
        .execute();
    }
  }

  beforeAll(async () => {
    await restart(OLD);
    for (const [name, count] of [['a', 120], ['b', 300]] as const) {
      const p = await t.projectWithKey();
      const spanIds = Array.from({ length: count }, (_, i) => `${name}-${i}`);
      projects[name] = { id: p.projectId, cookie: p.owner.cookie!, secret: p.secret, spanIds };
      // Every fifth span without output (null columns are left alone); project b's spans have
      // no output yet: concurrent ingest completes them during the move.
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

  it('seals each project’s content with that project’s own data key, wrapped by the master key', async () => {
    const [keyA] = await dataKeys('a');
    const [keyB] = await dataKeys('b');
    expect(keyA!.id).not.toBe(keyB!.id);
    expect(new Set(Object.values(await keyIds('a')))).toEqual(new Set([keyA!.id]));
    expect(new Set(Object.values(await keyIds('b')))).toEqual(new Set([keyB!.id]));
    expect(headers.keyIdOf(keyA!.wrapped)).toBe('old');
  });

  it('master-key rotation re-wraps the data keys and leaves every content byte as it was', async () => {
    const before = new Map((await rows('a')).map((r) => [r.id, Buffer.concat([Buffer.from(r.input ?? []), Buffer.from(r.output ?? [])])]));
    await restart(`${NEW},${OLD}`);
    const scope = [projects.a.id, projects.b.id];
    const result = await rewrapDataKeys({ db: t.app.deps.db, codec: t.app.deps.codec, projectIds: scope });
    expect(result.failed).toBe(0);
    expect(result).toMatchObject({ keys: 2, rewrapped: 2 });
    for (const p of ['a', 'b'] as const) expect(headers.keyIdOf((await dataKeys(p))[0]!.wrapped)).toBe('new');
    const after = await rows('a');
    for (const r of after) expect(Buffer.concat([Buffer.from(r.input ?? []), Buffer.from(r.output ?? [])]).equals(before.get(r.id)!)).toBe(true);
    // A second run has nothing left to do.
    expect((await rewrapDataKeys({ db: t.app.deps.db, codec: t.app.deps.codec, projectIds: scope })).rewrapped).toBe(0);
  });

  it('reads everything back with the new master key alone', async () => {
    await restart(NEW);
    const a = await readAll('a');
    expect(a.size).toBe(120);
    for (const [i, id] of projects.a.spanIds.entries()) {
      expect(a.get(id)).toEqual({ input: inputOf(id), output: i % 5 === 0 ? null : outputOf(id) });
    }
    expect((await readAll('b')).size).toBe(300);
  });

  it('moves content sealed before envelope encryption under the data key, in batches, with progress', async () => {
    await restart(`${NEW},${OLD}`);
    await makeLegacy('a');
    expect(new Set(Object.values(await keyIds('a')))).toEqual(new Set(['old']));
    // Legacy values read as they are.
    expect((await readAll('a')).get('a-1')).toEqual({ input: inputOf('a-1'), output: outputOf('a-1') });

    const progress: ResealProgress[] = [];
    const result = await reseal('a', { batchRows: 25, onProgress: (p) => progress.push(p) });
    const values = 120 + 96; // every input, and the outputs of 4 spans in 5
    expect(result).toMatchObject({ expected: 120, rows: 120, values, failed: 0, remaining: 0, unopenedProjects: [] });
    expect(progress.map((p) => p.rows)).toEqual([25, 50, 75, 100, 120]);
    const [key] = await dataKeys('a');
    expect(new Set(Object.values(await keyIds('a')))).toEqual(new Set([key!.id]));
    // Resumable: a second run changes nothing.
    expect(await reseal('a')).toMatchObject({ expected: 0, rows: 0, values: 0, failed: 0, remaining: 0 });
  });

  it('moves legacy content while ingest writes, losing nothing ingest wrote', async () => {
    await makeLegacy('b');
    const { spanIds } = projects.b;
    const client = ingestClientOf('b');
    let done = false;
    let ingestedDuring = 0;
    const run = reseal('b', { batchRows: 10, pauseMs: 20 }).finally(() => {
      done = true;
    });
    // Copies that replace the input and add the output of existing spans, and brand-new spans,
    // from both ends while the walk goes. A walk that wrote back a value it read before the copy
    // landed would lose the copy's input.
    const completed = new Set<string>();
    const writer = async (order: string[]) => {
      for (let i = 0; i < order.length; i += 15) {
        const ids = order.slice(i, i + 15);
        await ingest(client, ids.map((id) => span({ id, traceId: traceOf(id), input: laterInputOf(id), output: laterOutputOf(id) })));
        ids.forEach((id) => completed.add(id));
        if (!done) ingestedDuring += ids.length;
      }
    };
    const fresh = Array.from({ length: 30 }, (_, i) => `b-${300 + i}`);
    await Promise.all([
      writer(spanIds.slice(0, 150)),
      writer(spanIds.slice(150).reverse()),
      ingest(client, fresh.map((id) => span({ id, traceId: traceOf(id), input: inputOf(id), output: outputOf(id) }))),
      run,
    ]);
    projects.b.spanIds.push(...fresh);
    expect(ingestedDuring).toBeGreaterThan(0);
    expect(await run).toMatchObject({ expected: 300, failed: 0 });

    const content = await readAll('b');
    for (const id of spanIds) {
      const expected = completed.has(id)
        ? { input: laterInputOf(id), output: laterOutputOf(id) }
        : { input: inputOf(id), output: fresh.includes(id) ? outputOf(id) : null };
      expect(content.get(id)).toEqual(expected);
    }
    expect(await reseal('b')).toMatchObject({ failed: 0, remaining: 0 });
    expect(new Set(Object.values(await keyIds('b')))).toEqual(new Set([(await dataKeys('b'))[0]!.id]));
  });

  it('data-key rotation moves a project to a new data key and destroys the old one', async () => {
    const [oldKey] = await dataKeys('a');
    const copied = (await rows('a')).find((r) => r.id === 'a-3')!;
    const result = await rotateProjectDataKey(t.app.deps, projects.a.id, { graceMs: 0 });
    expect(result.retiredKeyIds).toEqual([oldKey!.id]);
    expect(result.reseal).toMatchObject({ remaining: 0, failed: 0, values: 120 + 96 });
    const keys = await dataKeys('a');
    expect(keys.map((k) => k.id)).toEqual([result.newKeyId]);
    expect(new Set(Object.values(await keyIds('a')))).toEqual(new Set([result.newKeyId]));
    // Everything reads; a copy of a value taken before the rotation no longer decrypts.
    expect((await readAll('a')).get('a-3')).toEqual({ input: inputOf('a-3'), output: outputOf('a-3') });
    const keysNow = await t.app.deps.projectKeys.forProject(projects.a.id, { fresh: true });
    expect(() => t.app.deps.codec.decode(copied.input!, { projectId: projects.a.id, table: 'spans', rowId: 'a-3', column: 'input', keys: keysNow })).toThrow(/is not among the project's keys/);
    // Audited, with ids only.
    const [entry] = await findAuditPage(t.app.deps.db, projects.a.id, { action: 'data_key.rotate' }, null, 1);
    expect(entry).toMatchObject({ actor_type: 'system', details: { newKeyId: result.newKeyId, retiredKeyIds: [oldKey!.id] } });
  });

  it('leaves a value it cannot decrypt as it is, and keeps counting it as remaining', async () => {
    const lost = parseKeyRing(`lost:${generateKey()}`);
    const where = { projectId: projects.a.id, table: 'spans', rowId: 'a-7', column: 'input' };
    const sealed = encodeUnderMasterKey(lost, new TextEncoder().encode('"x"'), where);
    const db = t.app.deps.db;
    await db.updateTable('spans').set({ input: sealed }).where('project_id', '=', projects.a.id).where('id', '=', 'a-7').execute();

    const result = await reseal('a');
    expect(result).toMatchObject({ rows: 0, values: 0, failed: 1, failures: { 'unknown-key': 1 }, remaining: 1 });
    const row = await db.selectFrom('spans').select('input').where('project_id', '=', projects.a.id).where('id', '=', 'a-7').executeTakeFirstOrThrow();
    expect(Buffer.from(row.input!).equals(Buffer.from(sealed))).toBe(true);
    // A data-key rotation that cannot move everything keeps the old key.
    const rotation = await rotateProjectDataKey(t.app.deps, projects.a.id, { graceMs: 0 });
    expect(rotation.retiredKeyIds).toEqual([]);
    expect((await dataKeys('a')).length).toBe(2);
  });

  it('caps a batch by content size as well as by rows', async () => {
    await makeLegacy('b');
    const progress: ResealProgress[] = [];
    const result = await reseal('b', { batchBytes: 1, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ rows: projects.b.spanIds.length, failed: 0, remaining: 0 });
    // Every row is larger than one byte, so each batch holds exactly one row.
    expect(progress.map((p) => p.rows)).toEqual(projects.b.spanIds.map((_, i) => i + 1));
  });

  it.skipIf(usingPostgres)('the CLI refuses an embedded database a server has open', () => {
    const config = loadConfig({ NODE_ENV: 'test', TOKENTRACE_DATA_DIR: dir });
    expect(() => checkEmbeddedDatabase(config)).toThrow(/is open: stop the server first/);
  });

  it('refuses a codec with no keys to rotate', async () => {
    const keyStore = createProjectKeyStore(t.app.deps.db, identityCodec);
    await expect(resealContent({ db: t.app.deps.db, codec: identityCodec, keyStore })).rejects.toThrow(ResealRefused);
    // A plugin list without encryption, loaded as the CLI loads the server's.
    const config = loadConfig({ NODE_ENV: 'test', TOKENTRACE_DATA_DIR: 'memory://' });
    const plugins = await loadPlugins(config, pino({ level: 'silent' }), [useRedaction()]);
    await expect(resealContent({ db: t.app.deps.db, codec: plugins.codec, keyStore })).rejects.toThrow(/codec is "identity"/);
  });
});
