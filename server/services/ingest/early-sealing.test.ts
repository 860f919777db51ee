import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedKeysOf } from '../../storage/project-keys';
import { otlpRequest, otlpSpan, startOtlpServer, type OtlpServer } from '../../testing/otlp';
import { createTestApp, type TestApp } from '../../testing/test-app';
import type { SpanModel } from '../models';
import { UnparsedContent } from './content-source-text';
import type { SealedInWorker } from './sealed-in-worker';
import { encodeSpans } from './encode-spans';
import { createSealer, sealerDataOf } from './worker-sealer';

// Content sealed where it is read (early-sealing.ts): a read worker seals a batch's content for the
// key's project when no stage will change it, and the encode stage takes those bytes. What a user
// must not be able to tell: content reads back as sent, redaction still applies, and a seal is
// never stored anywhere but the exact place it was made for.

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $input) { id } }`;
const TRACE = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input output contentStatus } } } }`;

const traceId = (n: number) => n.toString(16).padStart(32, '0');
const spanId = (n: number) => n.toString(16).padStart(16, '0');

function chatSpans(trace: number, count: number, say: (i: number) => string) {
  return Array.from({ length: count }, (_, i) =>
    otlpSpan({
      traceId: traceId(trace),
      spanId: spanId(trace * 1000 + i + 1),
      name: 'chat gpt-4o-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: say(i) }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `answer ${i} ✓` }], finish_reason: 'stop' }]),
      },
    }),
  );
}

describe('content sealed in the read worker', () => {
  let t: TestApp;
  let server: OtlpServer;
  let p: Awaited<ReturnType<TestApp['projectWithKey']>>;
  beforeAll(async () => {
    t = await createTestApp({}, { otlpReadMinBytes: 0 });
    expect(await t.app.deps.otlpReadPool!.warm()).toBe(true);
    server = await startOtlpServer(t);
    p = await t.projectWithKey();
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  const readTrace = async (n: number) => (await p.owner.gql(TRACE, { p: p.projectId, id: traceId(n) })).data.project.trace.spans as { id: string; input: unknown; output: unknown; contentStatus: string }[];

  it('seals a project’s content there when nothing reads it, and every span reads back its own content', async () => {
    const pool = t.app.deps.otlpReadPool!;
    const before = { read: pool.stats(), encoded: t.app.deps.encodePool!.stats().encoded };
    const res = await server.post(otlpRequest(chatSpans(1, 40, (i) => `question ${i}: ünïcödé ${'x'.repeat(i * 31)}`)), { secret: p.secret });
    expect(res.status).toBe(200);
    expect(pool.stats()).toMatchObject({ read: before.read.read + 1, sealed: before.read.sealed + 1 });
    // No second trip: the codec's worker was not asked to seal this batch.
    expect(t.app.deps.encodePool!.stats().encoded).toBe(before.encoded);
    const spans = await readTrace(1);
    expect(spans).toHaveLength(40);
    for (const span of spans) {
      const i = Number.parseInt(span.id, 16) - 1001;
      expect(span.contentStatus).toBe('AVAILABLE');
      expect(JSON.stringify(span.input)).toContain(`question ${i}: ünïcödé ${'x'.repeat(i * 31)}"`);
      expect(JSON.stringify(span.output)).toContain(`answer ${i} ✓`);
    }
  });

  it('leaves a project whose content a redactor reads to the redact stage: nothing sealed early, PII removed', async () => {
    const q = await t.projectWithKey();
    expect((await q.owner.gql(SETTINGS, { p: q.projectId, input: { piiRedaction: true } })).errors).toBeUndefined();
    const pool = t.app.deps.otlpReadPool!;
    const before = pool.stats();
    const res = await server.post(otlpRequest(chatSpans(2, 20, (i) => `mail jane.doe@example.com about order ${i}`)), { secret: q.secret });
    expect(res.status).toBe(200);
    expect(pool.stats()).toMatchObject({ read: before.read + 1, sealed: before.sealed });
    const spans = (await q.owner.gql(TRACE, { p: q.projectId, id: traceId(2) })).data.project.trace.spans;
    expect(spans).toHaveLength(20);
    expect(JSON.stringify(spans)).not.toContain('jane.doe@example.com');
    expect(JSON.stringify(spans)).toContain('order 19');
  });

  it('stores a seal only in the exact place it was made for: project, row, column and key set', async () => {
    const { codec, projectKeys } = t.app.deps;
    const keys = await projectKeys.forProject(p.projectId);
    const sealer = await createSealer(sealerDataOf(codec)!);
    const text = Buffer.from('{"messages":[{"role":"user","content":"sealed once"}]}');
    const [bytes] = sealer.seal({ projectId: p.projectId, keys: keys ? storedKeysOf(keys)! : null }, ['row-1'], [text, null]);
    const made: SealedInWorker = { bytes: bytes!, projectId: p.projectId, rowId: 'row-1', column: 'input', keys };
    const spanModel = (id: string, content: { input: unknown; output: unknown }) =>
      ({ id, projectId: p.projectId, traceId: 't', parentId: null, kind: 'GENERATION', name: 'x', content, redactions: [] }) as unknown as SpanModel;
    const open = (stored: Uint8Array | null | undefined, rowId: string, column: string) =>
      Buffer.from(codec.decode(stored!, { projectId: p.projectId, table: 'spans', rowId, column, ...(keys ? { keys } : {}) })).toString('utf8');

    const [exact] = await encodeSpans({ codec }, p.projectId, [spanModel('row-1', { input: new UnparsedContent(text, made), output: null })], keys);
    expect(exact!.input).toBe(made.bytes);
    expect(open(exact!.input, 'row-1', 'input')).toBe(text.toString('utf8'));

    const elsewhere: [string, SpanModel, string, string?][] = [
      ['another row', spanModel('row-2', { input: new UnparsedContent(text, made), output: null }), 'row-2'],
      ['another column', spanModel('row-1', { input: null, output: new UnparsedContent(text, made) }), 'row-1', 'output'],
      ['another project', spanModel('row-1', { input: new UnparsedContent(text, { ...made, projectId: 'another' }), output: null }), 'row-1'],
      ['another key set', spanModel('row-1', { input: new UnparsedContent(text, { ...made, keys: keys && { ...keys } }), output: null }), 'row-1'],
    ];
    for (const [what, span, rowId, column = 'input'] of elsewhere) {
      const [row] = await encodeSpans({ codec }, p.projectId, [span], keys);
      const stored = column === 'input' ? row!.input : row!.output;
      expect(stored, what).not.toBe(made.bytes);
      expect(open(stored, rowId, column), what).toBe(text.toString('utf8'));
    }
  });
});
