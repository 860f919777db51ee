import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../plugins/core/seeded-random';
import { listenOnLoopback, type LoopbackServer } from '../testing/listen-on-loopback';
import { createTestApp, INGEST, type TestApp } from '../testing/test-app';

// A large GraphQL ingest request read in the GraphQL read worker (graphql-read-pool.ts) must be
// answered and stored exactly as when the server's thread reads it. Two servers, one reading every
// body on its own thread and one sending every body to the worker, get the same requests: seeded
// random batches (good and bad spans, copies of one id, content spelled in ways JSON.stringify
// would not), requests the worker must leave alone (other operations, more variables, variables
// that do not coerce, broken JSON or GraphQL), and PII redaction. Answers, and what reads back —
// down to the stored text of content — must be the same.

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $input) { id } }`;
const READ = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) {
  name userId sessionId tags metadata spanCount totalTokens totalCostUsd
  spans { id parentId kind name model provider input output promptTokens completionTokens cacheReadTokens costUsd startTime endTime status statusMessage metadata redactions { rule count } }
} } }`;

interface Side {
  t: TestApp;
  server: LoopbackServer;
  p: Awaited<ReturnType<TestApp['projectWithKey']>>;
}

async function side(graphqlReadMinBytes: number): Promise<Side> {
  const t = await createTestApp({}, { graphqlReadMinBytes });
  const server = await listenOnLoopback(t.app);
  const p = await t.projectWithKey();
  return { t, server, p };
}

async function post(s: Side, body: string, secret = s.p.secret) {
  const res = await fetch(`${s.server.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body });
  return { status: res.status, json: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: unknown }[] } };
}

/** Span content with the spellings a client may use: spaces, 1.0, escapes, unicode. */
function content(next: () => number, i: number): string {
  switch (Math.floor(next() * 5)) {
    case 0:
      return `{ "messages" : [ { "role": "user", "content": "question ${i} ünïcode ✓ 🚀" } ], "n": 1.0 }`;
    case 1:
      return `{"text":"caf\\u00e9 ${i}","list":[1,2.50,-0,1e3]}`;
    case 2:
      return `[${i}, {"ok": true, "none": null}, "${'x'.repeat(Math.floor(next() * 4000))}"]`;
    case 3:
      return `"a plain string ${i}"`;
    default:
      return 'null';
  }
}

/** A batch as its JSON text: about `size` spans of one trace, some of them bad, some sent twice. */
function batch(seed: number, traceId: string): string {
  const next = seededRandom(seed);
  const size = 20 + Math.floor(next() * 60);
  const spans: string[] = [];
  for (let i = 0; i < size; i++) {
    const bad = next();
    const fields: Record<string, unknown> = {
      id: `${traceId}-${next() < 0.05 && i > 0 ? i - 1 : i}`,
      traceId,
      kind: bad < 0.04 ? 'NOT_A_KIND' : i === 0 ? 'AGENT' : 'GENERATION',
      name: bad > 0.04 && bad < 0.07 ? ' ' : `step ${i}`,
      model: i % 3 === 0 ? 'gpt-4o-mini' : 'claude-sonnet-4',
      provider: 'openai',
      promptTokens: bad > 0.07 && bad < 0.09 ? -5 : Math.floor(next() * 3000),
      completionTokens: Math.floor(next() * 500),
      startTime: `2026-11-01T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
      endTime: bad > 0.09 && bad < 0.11 ? '2026-11-01T09:00:00.000Z' : `2026-11-01T10:01:${String(i % 60).padStart(2, '0')}.500Z`,
      ...(i > 0 ? { parentId: `${traceId}-0` } : { trace: { name: 'support chat', userId: `user-${seed}`, sessionId: 's-1', tags: ['a', 'b'], metadata: { plan: 'pro' } } }),
      ...(next() < 0.2 ? { status: 'ERROR', statusMessage: 'timeout after 30 s' } : {}),
      ...(next() < 0.3 ? { metadata: { attempt: 2, region: 'eu' } } : {}),
    };
    const json = JSON.stringify(fields);
    spans.push(`${json.slice(0, -1)}, "input": ${content(next, i)}, "output" : ${content(next, i)} }`);
  }
  return `{"query": ${JSON.stringify(INGEST)}, "variables": { "spans": [${spans.join(',\n')}] } }`;
}

describe('large GraphQL ingest requests read in a worker thread', () => {
  let here: Side;
  let there: Side;
  beforeAll(async () => {
    [here, there] = await Promise.all([side(Number.POSITIVE_INFINITY), side(0)]);
    expect(await there.t.app.graphqlReadPool.warm()).toBe(true);
  });
  afterAll(async () => {
    for (const s of [here, there]) {
      await s.server.close();
      await s.t.close();
    }
  });

  async function readBack(s: Side, traceId: string) {
    const res = await s.p.owner.gql(READ, { p: s.p.projectId, id: traceId });
    return res.data.project.trace;
  }

  /** The stored plaintext of each span's input and output, as the codec opens it. */
  async function storedTexts(s: Side, traceId: string): Promise<Record<string, [string | null, string | null]>> {
    const { db, projectKeys, codec } = s.t.app.deps;
    const rows = await db.selectFrom('spans').select(['id', 'input', 'output']).where('project_id', '=', s.p.projectId).where('trace_id', '=', traceId).execute();
    const keys = await projectKeys.forProject(s.p.projectId);
    const open = (id: string, column: string, sealed: Uint8Array | null) => {
      if (!sealed) return null;
      const place = { projectId: s.p.projectId, table: 'spans', rowId: id, column };
      return Buffer.from(codec.decode(sealed, keys ? { ...place, keys } : place)).toString('utf8');
    };
    return Object.fromEntries(rows.map((r) => [r.id, [open(r.id, 'input', r.input), open(r.id, 'output', r.output)]]));
  }

  it('answers and stores 12 random batches exactly as the server’s own thread does', async () => {
    let rejected = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const traceId = `t${seed}`;
      const body = batch(seed, traceId);
      const [a, b] = await Promise.all([post(here, body), post(there, body)]);
      expect(b, `seed ${seed}`).toEqual(a);
      expect(a.json.errors, `seed ${seed}`).toBeUndefined();
      rejected += (a.json.data as { ingest: { rejected: unknown[] } }).ingest.rejected.length;
      expect(await readBack(there, traceId), `seed ${seed}`).toEqual(await readBack(here, traceId));
      expect(await storedTexts(there, traceId), `seed ${seed}`).toEqual(await storedTexts(here, traceId));
    }
    expect(rejected).toBeGreaterThan(5);
    // The key's project has no redactor on its content: the worker sealed it too (early-sealing.ts),
    // and what it sealed opens to the same text as the server's own seal.
    expect(there.t.app.deps.codec.worker).toBeDefined();
    expect(there.t.app.graphqlReadPool.stats()).toMatchObject({ read: 12, sealed: 12, handedBack: 0 });
    expect(here.t.app.graphqlReadPool.stats()).toEqual({ read: 0, sealed: 0, notIngest: 0, handedBack: 0 });
  });

  it('reads a body that arrives in many chunks as one that arrives whole', async () => {
    // The body is copied once, chunk by chunk, into the buffer the worker gets (packed-bytes.ts:
    // copyToMove); a chunk boundary falls inside content, a string and a multi-byte character.
    const body = Buffer.from(batch(41, 'chunked'));
    const chunks: Buffer[] = [];
    for (let at = 0; at < body.length; at += 997) chunks.push(body.subarray(at, at + 997));
    const before = there.t.app.graphqlReadPool.stats().read;
    const chunked = await new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const url = new URL(`${there.server.base}/graphql`);
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${there.p.secret}` } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
      });
      req.on('error', reject);
      void (async () => {
        for (const chunk of chunks) {
          req.write(chunk);
          await new Promise((r) => setImmediate(r));
        }
        req.end();
      })();
    });
    const whole = await post(here, body.toString('utf8'));
    expect(chunked).toEqual(whole);
    expect(there.t.app.graphqlReadPool.stats().read).toBe(before + 1);
    expect(await readBack(there, 'chunked')).toEqual(await readBack(here, 'chunked'));
    expect(await storedTexts(there, 'chunked')).toEqual(await storedTexts(here, 'chunked'));
  });

  it('checks the key once: the authentication made as the body arrived is the one yoga’s context uses', async () => {
    const body = batch(31, 'once');
    there.t.queries.length = 0;
    const res = await post(there, body);
    expect(res.json.errors).toBeUndefined();
    expect(there.t.queries.filter((q) => q.includes('from "api_keys"'))).toHaveLength(1);
  });

  it('redacts what the server’s thread redacts when PII redaction is on', async () => {
    for (const s of [here, there]) {
      const saved = await s.p.owner.gql(SETTINGS, { p: s.p.projectId, input: { piiRedaction: true } });
      expect(saved.errors).toBeUndefined();
    }
    const body = batch(99, 'pii').replaceAll('question', 'mail jane.doe@example.com about');
    const before = there.t.app.graphqlReadPool.stats();
    const [a, b] = await Promise.all([post(here, body), post(there, body)]);
    expect(b).toEqual(a);
    // Read in the worker, but not sealed there: a redactor reads this project's content.
    expect(there.t.app.graphqlReadPool.stats()).toMatchObject({ read: before.read + 1, sealed: before.sealed });
    const read = await readBack(there, 'pii');
    expect(read).toEqual(await readBack(here, 'pii'));
    expect(JSON.stringify(read)).not.toContain('jane.doe@example.com');
    expect(await storedTexts(there, 'pii')).toEqual(await storedTexts(here, 'pii'));
  });

  it('leaves every other request to the server’s thread, which answers it as before', async () => {
    const spans = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `o-${i}`, traceId: 'o', kind: 'SPAN', name: 'x', startTime: '2026-11-01T10:00:00.000Z' })));
    const cases = [
      // Two variables.
      `{"query": "mutation($spans: [SpanInput!]!, $x: String) { ingest(spans: $spans) { accepted } }", "variables": {"spans": ${spans(3)}, "x": "y"}}`,
      // A variable that does not coerce (a kind that is not a string).
      `{"query": ${JSON.stringify(INGEST)}, "variables": {"spans": [{"id": "a", "traceId": "b", "kind": 5, "name": "x", "startTime": "2026-11-01T10:00:00.000Z"}]}}`,
      // A field the input type does not have.
      `{"query": ${JSON.stringify(INGEST)}, "variables": {"spans": [{"id": "a", "traceId": "b", "kind": "SPAN", "name": "x", "startTime": "2026-11-01T10:00:00.000Z", "nope": 1}]}}`,
      // Another operation, and the spans used twice.
      `{"query": "query { viewer { id } }"}`,
      `{"query": "mutation($s: [SpanInput!]!) { a: ingest(spans: $s) { accepted } b: ingest(spans: $s) { accepted } }", "variables": {"s": ${spans(2)}}}`,
      // Broken GraphQL, broken JSON, a key yoga does not take.
      `{"query": "mutation($s: [SpanInput!]!) { ingest(spans: $s) { accepted ", "variables": {"s": []}}`,
      `{"query": ${JSON.stringify(INGEST)}, "variables": {"spans": [}`,
      `{"query": ${JSON.stringify(INGEST)}, "variables": {"spans": ${spans(1)}}, "other": true}`,
    ];
    const before = there.t.app.graphqlReadPool.stats();
    for (const body of cases) {
      const [a, b] = await Promise.all([post(here, body), post(there, body)]);
      expect(b, body).toEqual(a);
    }
    const after = there.t.app.graphqlReadPool.stats();
    expect(after.read).toBe(before.read);
    expect(after.notIngest - before.notIngest).toBe(cases.length);
    expect(after.handedBack).toBe(0);
  });

  it('takes the worker’s readings only with a credential, and checks it as for any request', async () => {
    const body = batch(7, 'nokey');
    const res = await fetch(`${there.server.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await res.json()).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A key that is not one: read in the worker, then refused by yoga's context as on the server's thread.
    const [a, b] = await Promise.all([post(here, body, 'ttk_not-a-real-key'), post(there, body, 'ttk_not-a-real-key')]);
    expect(a.json.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(b).toEqual(a);
  });
});
