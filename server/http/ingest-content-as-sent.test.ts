import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback, type LoopbackServer } from '../testing/listen-on-loopback';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';

// A large batch's content is sealed as the request's own JSON text (content-source-text.ts),
// not written out again from the parsed value. What a user must be able to rely on: every span
// reads back exactly the value it was sent with, whichever thread sealed it, and content that a
// redactor changed is stored redacted — never as it was sent.

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $input) { settings { piiRedaction } } }`;
const READ = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id input output } } } }`;
// One span's input, spelled with spaces and a number JSON.stringify would write as 1.
const SPELLED = '{ "marker" : "M5", "n": 1.0 }';

describe('content of a large batch over HTTP', () => {
  let t: TestApp;
  let server: LoopbackServer;
  beforeAll(async () => {
    t = await createTestApp();
    server = await listenOnLoopback(t.app);
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  /** 120 spans, ~270 KB: a body parsed in pieces. Span 5's input is SPELLED in the body. */
  async function send(secret: string, batch: string, content: (i: number) => Record<string, unknown> = () => ({})) {
    const spans = Array.from({ length: 120 }, (_, i) =>
      span({ id: `${batch}-${i}`, traceId: batch, input: i === 5 ? { marker: 'M5' } : { i, text: `ünïcode ${i} `.repeat(150) }, output: [i, { ok: true }], ...content(i) }),
    );
    const body = JSON.stringify({ query: INGEST, variables: { spans } }).replace('{"marker":"M5"}', SPELLED);
    expect(Buffer.byteLength(body)).toBeGreaterThan(200 * 1024);
    const res = await fetch(`${server.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body });
    const json = (await res.json()) as { data?: { ingest: { accepted: number } }; errors?: unknown };
    expect(json.data?.ingest.accepted, JSON.stringify(json.errors)).toBe(120);
    return spans;
  }

  /** The stored plaintext of a span's input, as the codec opens it. */
  async function storedText(projectId: string, spanId: string): Promise<string> {
    const row = await t.app.deps.db.selectFrom('spans').select('input').where('project_id', '=', projectId).where('id', '=', spanId).executeTakeFirstOrThrow();
    const keys = await t.app.deps.projectKeys.forProject(projectId);
    const place = { projectId, table: 'spans', rowId: spanId, column: 'input' };
    return Buffer.from(t.app.deps.codec.decode(row.input!, keys ? { ...place, keys } : place)).toString('utf8');
  }

  async function readBack(p: Awaited<ReturnType<TestApp['projectWithKey']>>, batch: string) {
    const read = await p.owner.gql(READ, { p: p.projectId, id: batch });
    return new Map<string, { input: unknown; output: unknown }>(read.data.project.trace.spans.map((s: { id: string }) => [s.id, s]));
  }

  it('stores the text as sent, on the server’s thread and in the codec’s worker, and reads back every value', async () => {
    const p = await t.projectWithKey();
    const pool = t.app.deps.encodePool!;
    // The worker starts on the first large batch, which the server's own thread seals meanwhile.
    const sealedBefore = pool.stats().encoded;
    const first = await send(p.secret, 'first');
    expect(await pool.warm()).toBe(true);
    const second = await send(p.secret, 'second');
    expect(pool.stats().encoded).toBeGreaterThan(sealedBefore);
    for (const [batch, spans] of [['first', first], ['second', second]] as const) {
      expect(await storedText(p.projectId, `${batch}-5`), batch).toBe(SPELLED);
      expect(await storedText(p.projectId, `${batch}-9`), batch).toBe(JSON.stringify(spans[9]!.input));
      const stored = await readBack(p, batch);
      expect(stored.get(`${batch}-5`)?.input).toEqual({ marker: 'M5', n: 1 });
      for (let i = 0; i < spans.length; i++) {
        if (i === 5) continue;
        expect(stored.get(`${batch}-${i}`), `${batch}-${i}`).toEqual({ id: `${batch}-${i}`, input: spans[i]!.input, output: spans[i]!.output });
      }
    }
  });

  it('stores content a redactor changed as redacted, never as it was sent; content the rules walked without a hit as sent', async () => {
    const p = await t.projectWithKey();
    const set = await p.owner.gql(SETTINGS, { p: p.projectId, input: { piiRedaction: true } });
    expect(set.data?.updateProjectSettings.settings.piiRedaction, JSON.stringify(set.errors)).toBe(true);
    await t.app.deps.encodePool!.warm();
    // Span 7: PII at the top. Span 8: PII deep in one branch, its sibling branch untouched; the
    // output clean. Span 11: a card number spelled as a JSON number.
    const deep = { keep: { a: [1, 'plain'] }, mail: [{ to: ['x', 'mail ann.lee@example.org today'] }] };
    await send(p.secret, 'pii', (i) =>
      i === 7 ? { input: { note: 'write to jane.doe@example.com' } } : i === 8 ? { input: deep } : i === 11 ? { output: { pan: 4111111111111111 } } : {},
    );
    const text = await storedText(p.projectId, 'pii-7');
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).toContain('[REDACTED');
    const deepText = await storedText(p.projectId, 'pii-8');
    expect(deepText).not.toContain('ann.lee');
    const stored = await readBack(p, 'pii');
    expect(JSON.stringify(stored.get('pii-7')?.input)).not.toContain('jane.doe');
    expect(stored.get('pii-7')?.input).toEqual({ note: expect.stringMatching(/^write to \[REDACTED/) });
    expect(stored.get('pii-8')?.input).toEqual({ keep: { a: [1, 'plain'] }, mail: [{ to: ['x', expect.stringMatching(/^mail \[REDACTED:email\] today$/)] }] });
    expect(stored.get('pii-11')?.output).toEqual({ pan: expect.stringMatching(/^\[REDACTED/) });
    // The rules walked span 5 and found nothing: its text as the request spelled it.
    expect(await storedText(p.projectId, 'pii-5')).toBe(SPELLED);
    expect(stored.get('pii-5')?.input).toEqual({ marker: 'M5', n: 1 });
  });
});
