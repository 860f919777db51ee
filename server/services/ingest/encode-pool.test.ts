import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityCodec, type ContentCodec } from '../../../plugins/core/index';
import type { AesGcmCodec } from '../../../plugins/encryption/aes-gcm-codec';
import { insertNextProjectDataKey } from '../../db/repositories/project-data-keys';
import { createProjectKeyStore } from '../../storage/project-keys';
import { createTestApp, INGEST, span, type TestApp } from '../../testing/test-app';
import { createEncodePool, DEFAULT_MIN_SPANS } from './encode-pool';

// Ingest seals a large batch's content in the codec's worker thread (encode-pool.ts). What a user
// must not be able to tell: every span reads back its own content, under the project's current
// data key, exactly as when the server sealed it on its own thread — and when the worker cannot
// help, the batch is still stored.

const READ = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input output contentStatus } } } }`;

function contentOf(i: number) {
  return {
    input: { messages: [{ role: 'user', content: `question ${i}: ünïcödé ✓ ${'x'.repeat(i * 37)}` }], n: i },
    output: i % 3 === 0 ? null : { role: 'assistant', content: `answer ${i}` },
  };
}

describe('ingest with the codec worker', () => {
  let t: TestApp;
  let p: Awaited<ReturnType<TestApp['projectWithKey']>>;
  beforeAll(async () => {
    t = await createTestApp();
    p = await t.projectWithKey();
  });
  afterAll(() => t.close());

  async function ingestBatch(traceId: string, size: number) {
    const spans = Array.from({ length: size }, (_, i) => span({ id: `${traceId}-s${i}`, traceId, ...contentOf(i) }));
    const res = await p.ingest.gql(INGEST, { spans });
    expect(res.data?.ingest, JSON.stringify(res.errors)).toEqual({ accepted: size, rejected: [] });
    const read = await p.owner.gql(READ, { p: p.projectId, id: traceId });
    const byId = new Map<string, { input: unknown; output: unknown; contentStatus: string }>(read.data.project.trace.spans.map((s: { id: string }) => [s.id, s]));
    return { byId, size };
  }

  async function storedKeyIds(traceId: string): Promise<string[]> {
    const rows = await t.app.deps.db.selectFrom('spans').select(['input']).where('project_id', '=', p.projectId).where('trace_id', '=', traceId).execute();
    const codec = t.app.deps.codec as AesGcmCodec;
    return [...new Set(rows.map((r) => codec.keyIdOf(r.input!)))];
  }

  it('seals a large batch there: every span reads back its own content, under the current data key', async () => {
    const pool = t.app.deps.encodePool!;
    expect(await pool.warm()).toBe(true);
    const before = pool.stats().encoded;
    const { byId, size } = await ingestBatch('big', 40);
    expect(pool.stats().encoded).toBe(before + 1);
    for (let i = 0; i < size; i++) {
      const { input, output } = contentOf(i);
      expect(byId.get(`big-s${i}`)).toMatchObject({ input, output, contentStatus: 'AVAILABLE' });
    }
    const keys = await t.app.deps.projectKeys.forProject(p.projectId);
    expect(await storedKeyIds('big')).toEqual([keys!.currentKeyId]);
  });

  it('seals a small batch on the server’s own thread', async () => {
    const pool = t.app.deps.encodePool!;
    const before = pool.stats();
    const { byId } = await ingestBatch('small', DEFAULT_MIN_SPANS - 1);
    expect(pool.stats()).toEqual(before);
    expect(byId.get('small-s1')).toMatchObject(contentOf(1));
  });

  it('seals under the project’s new data key once the server has loaded it', async () => {
    const { db, codec, projectKeys } = t.app.deps;
    await insertNextProjectDataKey(db, p.projectId, codec.projectKeys!.create(p.projectId));
    projectKeys.forget(p.projectId);
    const keys = await projectKeys.forProject(p.projectId);
    expect(keys!.keyIds).toHaveLength(2);
    const { byId } = await ingestBatch('rotated', 20);
    expect(byId.get('rotated-s19')).toMatchObject(contentOf(19));
    expect(await storedKeyIds('rotated')).toEqual([keys!.currentKeyId]);
    // Values the worker sealed under the old key still read.
    const earlier = await p.owner.gql(READ, { p: p.projectId, id: 'big' });
    expect(earlier.data.project.trace.spans.find((s: { id: string }) => s.id === 'big-s5')).toMatchObject(contentOf(5));
  });
});

describe('the worker’s opened keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  // docs/security.md: opened data keys stay in memory for about a minute, in either thread. The
  // worker's keep time is shortened here; the codec writes how many times its thread has opened keys.
  it('opens a project’s keys once, keeps them, and drops them after the keep time', async () => {
    const module = new URL('../../testing/counting-keys-codec-worker.ts', import.meta.url).href;
    const { createCodec } = (await import(module)) as { createCodec: () => ContentCodec };
    const codec: ContentCodec = { ...createCodec(), worker: { module, data: null } };
    const { projectId } = await t.projectWithKey();
    const keys = await createProjectKeyStore(t.app.deps.db, codec).forProject(projectId);
    const pool = createEncodePool(codec, pino({ level: 'silent' }), { keyKeepMs: 400 })!;
    try {
      expect(await pool.warm()).toBe(true);
      const spans = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, content: contentOf(i) }));
      const opensSeen = async () => {
        const sealed = await pool.encode(projectId, keys, spans);
        expect(sealed).not.toBeNull();
        return new Set(sealed!.map((v) => Buffer.from(v.input!).toString('utf8').split('|')[0]));
      };
      expect(await opensSeen()).toEqual(new Set(['1']));
      expect(await opensSeen()).toEqual(new Set(['1']));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await opensSeen()).toEqual(new Set(['2']));
    } finally {
      await pool.close();
    }
  });
});

describe('encode pool when the worker cannot help', () => {
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
  const spans = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, content: contentOf(i) }));
  const workerCodec = (data: string): ContentCodec => ({
    ...identityCodec,
    worker: { module: new URL('../../testing/throwing-codec-worker.ts', import.meta.url).href, data },
  });

  it('seals nothing while the worker starts: the first large batch does not wait for it', async () => {
    const pool = createEncodePool(workerCodec('x'), logger)!;
    expect(await pool.encode('p1', undefined, spans)).toBeNull();
    expect(await pool.warm()).toBe(true);
    await pool.close();
  });

  it('is not made for a codec without a worker module', () => {
    expect(createEncodePool(identityCodec, logger)).toBeUndefined();
  });

  it('hands every batch back when the worker cannot start, and stops trying after three starts', async () => {
    logLines.length = 0;
    const pool = createEncodePool(workerCodec('refuse'), logger)!;
    for (let i = 0; i < 5; i++) {
      expect(await pool.warm()).toBe(false);
      expect(await pool.encode('p1', undefined, spans)).toBeNull();
    }
    expect(pool.stats()).toEqual({ encoded: 0, handedBack: 5 });
    const warnings = logLines.filter((l) => l.includes('encode worker did not start'));
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toContain('from now on');
    await pool.close();
  });

  it('hands a batch back when the worker’s codec throws, without logging what it said', async () => {
    logLines.length = 0;
    const pool = createEncodePool(workerCodec('s3cr3t-key-material'), logger)!;
    expect(await pool.warm()).toBe(true);
    expect(await pool.encode('p1', undefined, spans)).toBeNull();
    expect(await pool.encode('p1', undefined, spans)).toBeNull();
    expect(pool.stats()).toEqual({ encoded: 0, handedBack: 2 });
    expect(logLines.join('\n')).not.toContain('s3cr3t');
    await pool.close();
  });

  it('hands back content that does not clone to another thread', async () => {
    const pool = createEncodePool(workerCodec('x'), logger)!;
    expect(await pool.warm()).toBe(true);
    const odd = spans.map((s) => ({ ...s, content: { ...s.content, input: { call: () => 1 } } }));
    expect(await pool.encode('p1', undefined, odd)).toBeNull();
    await pool.close();
  });
});
