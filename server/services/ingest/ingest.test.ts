import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPrices } from '../../../migrations/20261129000100_seed_model_prices';
import { createTestApp, INGEST, span, type GraphQLResponse, type TestApp, type TestClient } from '../../testing/test-app';
import { expectCode } from '../../testing/expect-code';

// Ingest through the real schema and database: per-span rejection, idempotent retries,
// trace roll-ups, pricing, request limits, per-project content settings, and the shape of the
// writes (one multi-row insert inside one transaction).

const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) {
    trace(id: $id) {
      id name userId sessionId tags metadata startTime endTime durationMs
      totalTokens totalCostUsd spanCount errorCount
      spans { id parentId name model input output metadata promptTokens completionTokens totalTokens costUsd
              startTime endTime latencyMs status statusMessage }
    }
  }
}`;

/** USD per token pair, from the seeded price rows in force at `at` (the newest not after it). */
function seededCost(model: string, at: string, promptTokens: number, completionTokens: number): number {
  const rows = seedPrices
    .filter((p) => p.model === model && p.match_type === 'exact' && Date.parse(`${p.effective_from}T00:00:00Z`) <= Date.parse(at))
    .sort((a, b) => a.effective_from.localeCompare(b.effective_from));
  const price = rows.at(-1);
  if (!price) throw new Error(`no seeded price for ${model}`);
  return (promptTokens * price.input_usd_per_million + completionTokens * price.output_usd_per_million) / 1_000_000;
}

function ok(res: GraphQLResponse): GraphQLResponse {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res;
}


describe('ingest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const spanRows = (projectId: string) =>
    t.app.deps.db.selectFrom('spans').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
  const traceRows = (projectId: string) =>
    t.app.deps.db.selectFrom('traces').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

  async function readTrace(owner: TestClient, projectId: string, traceId: string) {
    const res = ok(await owner.gql(TRACE, { p: projectId, id: traceId }));
    return res.data.project.trace;
  }

  it('stores the good spans of a batch and names each bad one by index with a reason that says what to fix', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    const spans = [
      span({ id: 'ok-0' }),
      span({ id: 'bad-end', endTime: '2026-11-01T09:59:59.000Z' }),
      span({ id: 'ok-2' }),
      span({ id: 'bad-name', name: '' }),
      span({ id: 'bad-tokens', promptTokens: -3 }),
      span({ id: 'bad-parent', parentId: 'bad-parent' }),
      span({ id: 'bad-metadata', metadata: ['not', 'an', 'object'] }),
      span({ id: 'bad-blank-name', name: '   ' }),
      span({ id: 'ok-8' }),
      span({ id: 'bad-future', startTime: new Date(Date.now() + 3 * 24 * 3600_000).toISOString(), endTime: null }),
      span({ id: 'bad id with spaces' }),
      span({ id: 'bad-trace-metadata', trace: { metadata: 'just a string' } }),
    ];
    const res = ok(await ingest.gql(INGEST, { spans }));
    expect(res.data.ingest.accepted).toBe(3);
    expect(res.data.ingest.rejected).toEqual([
      { index: 1, id: 'bad-end', reason: expect.stringMatching(/endTime.*before.*startTime/) },
      { index: 3, id: 'bad-name', reason: expect.stringMatching(/name.*empty/) },
      { index: 4, id: 'bad-tokens', reason: expect.stringMatching(/promptTokens.*negative/) },
      { index: 5, id: 'bad-parent', reason: expect.stringMatching(/parentId.*(equal|same).*id/) },
      { index: 6, id: 'bad-metadata', reason: expect.stringMatching(/metadata.*object/) },
      { index: 7, id: 'bad-blank-name', reason: expect.stringMatching(/name.*empty/) },
      { index: 9, id: 'bad-future', reason: expect.stringMatching(/startTime.*future.*clock/) },
      { index: 10, id: 'bad id with spaces', reason: expect.stringMatching(/^id .*spaces/) },
      { index: 11, id: 'bad-trace-metadata', reason: expect.stringMatching(/trace\.metadata.*object/) },
    ]);

    expect((await spanRows(projectId)).map((s) => s.id)).toEqual(['ok-0', 'ok-2', 'ok-8']);
    const [trace] = await traceRows(projectId);
    expect(trace).toMatchObject({ id: 'trace-1', span_count: 3 });
  });

  it('a batch where every span is bad stores nothing and still answers with the reasons', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    const res = ok(await ingest.gql(INGEST, { spans: [span({ name: '' }), span({ completionTokens: -1 })] }));
    expect(res.data.ingest).toMatchObject({ accepted: 0, rejected: [{ index: 0 }, { index: 1 }] });
    expect(await spanRows(projectId)).toEqual([]);
    expect(await traceRows(projectId)).toEqual([]);
  });

  it('a re-sent batch (same ids) does not double rows or roll-ups', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const batch = [span({ id: 'a' }), span({ id: 'b', parentId: 'a' }), span({ id: 'c', parentId: 'a', status: 'ERROR' })];
    ok(await ingest.gql(INGEST, { spans: batch }));
    const first = await readTrace(owner, projectId, 'trace-1');

    const again = ok(await ingest.gql(INGEST, { spans: batch }));
    expect(again.data.ingest).toEqual({ accepted: 3, rejected: [] });
    expect(await spanRows(projectId)).toHaveLength(3);
    const second = await readTrace(owner, projectId, 'trace-1');
    expect(second).toEqual(first);
    // 30, not 45: the root's usage is also reported by its children, so it counts once (docs/otel.md).
    expect(second).toMatchObject({ spanCount: 3, errorCount: 1, totalTokens: 30 });
  });

  it('a later copy of a span with more data completes the stored span', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const id = 'llm-call';
    ok(await ingest.gql(INGEST, { spans: [span({ id, endTime: null, output: null, promptTokens: null, completionTokens: null })] }));
    const open = await readTrace(owner, projectId, 'trace-1');
    expect(open).toMatchObject({ endTime: null, durationMs: null, totalTokens: 0, totalCostUsd: null, errorCount: 0 });
    expect(open.spans[0]).toMatchObject({ id, endTime: null, output: null, status: 'OK', costUsd: null });

    // The completion: only what is new, plus the required fields.
    const completion = {
      id,
      traceId: 'trace-1',
      kind: 'GENERATION',
      name: 'chat',
      startTime: '2026-11-01T10:00:00.000Z',
      endTime: '2026-11-01T10:00:02.500Z',
      output: { role: 'assistant', content: 'rate limited' },
      promptTokens: 10,
      completionTokens: 5,
      status: 'ERROR',
      statusMessage: '429 from upstream',
    };
    ok(await ingest.gql(INGEST, { spans: [completion] }));
    const done = await readTrace(owner, projectId, 'trace-1');
    expect(done.spans).toHaveLength(1);
    expect(done.spans[0]).toMatchObject({
      id,
      model: 'gpt-4o-mini',
      input: { messages: [{ role: 'user', content: 'hello' }] },
      output: { role: 'assistant', content: 'rate limited' },
      endTime: '2026-11-01T10:00:02.500Z',
      latencyMs: 2500,
      status: 'ERROR',
      statusMessage: '429 from upstream',
      totalTokens: 15,
    });
    expect(done.spans[0].costUsd).toBeCloseTo(seededCost('gpt-4o-mini', completion.startTime, 10, 5), 12);
    expect(done).toMatchObject({ endTime: '2026-11-01T10:00:02.500Z', durationMs: 2500, spanCount: 1, errorCount: 1, totalTokens: 15 });

    // A late OK copy (a retry of the first send) neither clears the error nor the completion.
    ok(await ingest.gql(INGEST, { spans: [span({ id, endTime: null, output: null })] }));
    const after = await readTrace(owner, projectId, 'trace-1');
    expect(after.spans[0]).toMatchObject({ status: 'ERROR', endTime: '2026-11-01T10:00:02.500Z', output: completion.output });
    expect(after.errorCount).toBe(1);
  });

  it('token counts split across copies add up, and the span is priced from the merged counts', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const start = '2026-11-01T10:00:00.000Z';
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'split', startTime: start, endTime: null, promptTokens: 100, completionTokens: null })] }));
    const minimal = { id: 'split', traceId: 'trace-1', kind: 'GENERATION', name: 'chat', startTime: start };
    ok(await ingest.gql(INGEST, { spans: [{ ...minimal, completionTokens: 20 }] }));

    const trace = await readTrace(owner, projectId, 'trace-1');
    expect(trace.spans[0]).toMatchObject({ promptTokens: 100, completionTokens: 20, totalTokens: 120 });
    expect(trace.spans[0].costUsd).toBeCloseTo(seededCost('gpt-4o-mini', start, 100, 20), 12);
    expect(trace.totalTokens).toBe(120);
    expect(trace.totalCostUsd).toBeCloseTo(seededCost('gpt-4o-mini', start, 100, 20), 12);
  });

  it('the same id twice within one batch becomes one row, the later copy completing the earlier', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const res = ok(
      await ingest.gql(INGEST, {
        spans: [
          span({ id: 'twice', endTime: null, output: null }),
          span({ id: 'other' }),
          span({ id: 'twice', endTime: '2026-11-01T10:00:03.000Z', output: 'done', status: 'ERROR' }),
        ],
      }),
    );
    expect(res.data.ingest).toEqual({ accepted: 3, rejected: [] });
    expect((await spanRows(projectId)).map((s) => s.id)).toEqual(['other', 'twice']);
    const trace = await readTrace(owner, projectId, 'trace-1');
    expect(trace.spanCount).toBe(2);
    expect(trace.spans.find((s: { id: string }) => s.id === 'twice')).toMatchObject({
      endTime: '2026-11-01T10:00:03.000Z',
      output: 'done',
      status: 'ERROR',
    });
  });

  it('a span re-sent under another traceId stays in its trace and leaves no empty trace behind', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'moved', traceId: 'original' })] }));
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'moved', traceId: 'elsewhere', trace: { tags: ['late'] } })] }));

    expect((await spanRows(projectId)).map((s) => [s.id, s.trace_id])).toEqual([['moved', 'original']]);
    const list = ok(await owner.gql(`query($p: ID!) { project(id: $p) { traces { edges { node { id spanCount tags } } } } }`, { p: projectId }));
    expect(list.data.project.traces.edges.map((e: { node: unknown }) => e.node)).toEqual([{ id: 'original', spanCount: 1, tags: ['late'] }]);
  });

  it('rolls spans up into the trace: attributes, merged tags and metadata, bounds, counts, tokens and cost', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const traceId = 'rollup';
    const base = { traceId, input: null, output: null };
    ok(
      await ingest.gql(INGEST, {
        spans: [
          span({
            ...base,
            id: 'root',
            kind: 'AGENT',
            name: 'agent-run',
            model: null,
            promptTokens: null,
            completionTokens: null,
            startTime: '2026-11-01T10:00:00.000Z',
            endTime: '2026-11-01T10:00:05.000Z',
            trace: { name: 'Support chat', userId: 'user-42', sessionId: 'sess-7', tags: ['prod', 'beta'], metadata: { region: 'eu' } },
          }),
          span({
            ...base,
            id: 'gen-1',
            parentId: 'root',
            promptTokens: 1000,
            completionTokens: 500,
            startTime: '2026-11-01T10:00:01.000Z',
            endTime: '2026-11-01T10:00:02.000Z',
          }),
          span({
            ...base,
            id: 'gen-2',
            parentId: 'root',
            promptTokens: 2000,
            completionTokens: 100,
            status: 'ERROR',
            startTime: '2026-11-01T10:00:02.000Z',
            endTime: '2026-11-01T10:00:06.000Z',
          }),
        ],
      }),
    );
    // A second batch: an earlier span, an unpriced model, and more trace attributes.
    ok(
      await ingest.gql(INGEST, {
        spans: [
          span({
            ...base,
            id: 'tool-1',
            parentId: 'root',
            kind: 'TOOL',
            model: 'in-house-model-x',
            promptTokens: 50,
            completionTokens: 50,
            startTime: '2026-11-01T09:59:59.000Z',
            endTime: '2026-11-01T10:00:03.000Z',
            trace: { tags: ['beta', 'eval'], metadata: { tier: 'gold' } },
          }),
        ],
      }),
    );

    const trace = await readTrace(owner, projectId, traceId);
    expect(trace).toMatchObject({
      id: traceId,
      name: 'Support chat',
      userId: 'user-42',
      sessionId: 'sess-7',
      metadata: { region: 'eu', tier: 'gold' },
      startTime: '2026-11-01T09:59:59.000Z',
      endTime: '2026-11-01T10:00:06.000Z',
      durationMs: 7000,
      spanCount: 4,
      errorCount: 1,
      totalTokens: 1500 + 2100 + 100,
    });
    expect([...trace.tags].sort()).toEqual(['beta', 'eval', 'prod']);

    const costs = Object.fromEntries(trace.spans.map((s: { id: string; costUsd: number | null }) => [s.id, s.costUsd]));
    expect(costs.root).toBeNull();
    expect(costs['tool-1']).toBeNull(); // unknown model: unpriced, not free
    expect(costs['gen-1']).toBeCloseTo(seededCost('gpt-4o-mini', '2026-11-01T10:00:01.000Z', 1000, 500), 12);
    expect(costs['gen-2']).toBeCloseTo(seededCost('gpt-4o-mini', '2026-11-01T10:00:02.000Z', 2000, 100), 12);
    expect(trace.totalCostUsd).toBeCloseTo(costs['gen-1'] + costs['gen-2'], 12);
  });

  it('prices gpt-4o-mini at the seeded list price', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'priced', promptTokens: 1_000_000, completionTokens: 1_000_000 })] }));
    const [row] = await spanRows(projectId);
    const price = seedPrices.find((p) => p.model === 'gpt-4o-mini' && p.match_type === 'exact')!;
    expect(Number(row!.cost_usd)).toBeCloseTo(price.input_usd_per_million + price.output_usd_per_million, 9);
    expect(Number(row!.cost_usd)).toBeCloseTo(seededCost('gpt-4o-mini', '2026-11-01T10:00:00.000Z', 1_000_000, 1_000_000), 9);
  });

  it('an unknown model stores costUsd null (not 0) and the trace total stays null', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    ok(
      await ingest.gql(INGEST, {
        spans: [
          span({ id: 'u1', model: 'acme-llm-9000' }),
          span({ id: 'u2', model: null, kind: 'SPAN' }),
          span({ id: 'u3', model: 'gpt-4o-mini', promptTokens: null, completionTokens: null }),
        ],
      }),
    );
    const rows = await spanRows(projectId);
    expect(rows.map((r) => [r.id, r.cost_usd])).toEqual([
      ['u1', null],
      ['u2', null],
      ['u3', null], // a known model without token counts cannot be priced either
    ]);
    const trace = await readTrace(owner, projectId, 'trace-1');
    expect(trace.totalCostUsd).toBeNull();
    expect(trace.spans.map((s: { costUsd: number | null }) => s.costUsd)).toEqual([null, null, null]);
  });

  it('an explicit trace name is not replaced by a root span name from a later batch', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'child', parentId: 'root', trace: { name: 'Checkout flow' } })] }));
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'root', name: 'http POST /checkout', kind: 'SPAN' })] }));
    expect((await readTrace(owner, projectId, 'trace-1')).name).toBe('Checkout flow');

    // Without an explicit name the root span names the trace, whichever batch it comes in.
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'c2', traceId: 'unnamed', parentId: 'r2' })] }));
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'r2', traceId: 'unnamed', name: 'root-span', kind: 'SPAN' })] }));
    expect((await readTrace(owner, projectId, 'unnamed')).name).toBe('root-span');
  });

  it('a malformed time rejects only its span, by index, and the others are stored', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    for (const [n, bad] of ['yesterday', '2026-11-01T10:00:00', '2026-13-45T10:00:00Z', 'not-a-date', 1730000000000].entries()) {
      const res = ok(await ingest.gql(INGEST, { spans: [span({ id: `ok-a${n}` }), span({ id: `ok-b${n}` }), span({ id: `bad${n}`, startTime: bad })] }));
      expect(res.data.ingest).toEqual({
        accepted: 2,
        rejected: [{ index: 2, id: `bad${n}`, reason: expect.stringMatching(/startTime (must be an ISO-8601 time with a time zone|is not a real date)/) }],
      });
    }
    expect(await spanRows(projectId)).toHaveLength(10);
  });

  it('with redactInputs set, spans are stored without input but keep output and metadata', async () => {
    const { ingest, owner, projectId } = await t.projectWithKey();
    const settings = ok(
      await owner.gql('mutation($p: ID!) { updateProjectSettings(projectId: $p, input: { redactInputs: true }) { settings { redactInputs redactOutputs } } }', {
        p: projectId,
      }),
    );
    expect(settings.data.updateProjectSettings.settings).toEqual({ redactInputs: true, redactOutputs: false });

    ok(await ingest.gql(INGEST, { spans: [span({ id: 'secret-prompt', input: { prompt: 'my SSN is 078-05-1120' }, metadata: { env: 'prod' } })] }));
    const [row] = await spanRows(projectId);
    expect(row!.input).toBeNull();
    expect(row!.output).not.toBeNull();
    expect(row!.metadata).toEqual({ env: 'prod' });

    const trace = await readTrace(owner, projectId, 'trace-1');
    expect(trace.spans[0]).toMatchObject({ input: null, output: { role: 'assistant', content: 'hi there' }, metadata: { env: 'prod' } });
  });

  it('writes a 100-span batch with one insert into spans, inside one transaction', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    const spans = Array.from({ length: 100 }, (_, i) => span({ id: `bulk-${String(i).padStart(3, '0')}`, traceId: `bulk-trace-${i % 7}` }));
    t.queries.length = 0;
    const res = ok(await ingest.gql(INGEST, { spans }));
    expect(res.data.ingest).toEqual({ accepted: 100, rejected: [] });

    const log = [...t.queries];
    const spanInserts = log.flatMap((q, i) => (/insert into "spans"/i.test(q) ? [i] : []));
    expect(spanInserts).toHaveLength(1);
    const insertAt = spanInserts[0]!;
    // The transaction that holds the insert: the nearest begin before it, the first end after it.
    const beginAt = log.slice(0, insertAt).findLastIndex((q) => /^begin\b/i.test(q));
    const endAt = log.findIndex((q, i) => i > insertAt && /^(commit|rollback)\b/i.test(q));
    expect(beginAt).toBeGreaterThanOrEqual(0);
    expect(endAt).toBeGreaterThan(insertAt);
    expect(log[endAt]).toMatch(/^commit/i);
    // Inside the same transaction: the spans, whose statement takes the traces' locks before it
    // writes a row, then ONE statement for all seven trace rows (attributes and roll-ups together).
    const inside = log.slice(beginAt + 1, endAt);
    expect(inside.filter((q) => /pg_advisory_xact_lock/.test(q))).toEqual([log[insertAt]]);
    expect(log[insertAt]).toMatch(/^\/\* ingest \*\/ with locked as \(.*pg_advisory_xact_lock.*insert into "spans"/s);
    const traceWrites = log.filter((q) => /\b(insert into|update)\s+"?traces"?\b/i.test(q));
    expect(traceWrites).toHaveLength(1);
    expect(inside).toContain(traceWrites[0]);
    expect(log.filter((q) => /^(insert into|update) "?spans"?/i.test(q.trim())).every((q) => inside.includes(q))).toBe(true);
    // New spans are priced before the insert: no second write to spans.
    expect(log.filter((q) => /^update "?spans"?\s/i.test(q.trim()))).toEqual([]);

    expect(await spanRows(projectId)).toHaveLength(100);
    const traces = await traceRows(projectId);
    expect(traces.map((tr) => tr.span_count).reduce((a, b) => a + b, 0)).toBe(100);
  });

  describe('request limits', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await createTestApp({ TOKENTRACE_INGEST_MAX_SPANS: '5', TOKENTRACE_MAX_BODY_BYTES: '20000' });
    });
    afterAll(() => limited.close());

    const storedSpans = (projectId: string) =>
      limited.app.deps.db.selectFrom('spans').select('id').where('project_id', '=', projectId).execute();

    it('more spans than TOKENTRACE_INGEST_MAX_SPANS is PAYLOAD_TOO_LARGE and stores nothing', async () => {
      const { ingest, projectId } = await limited.projectWithKey();
      const six = Array.from({ length: 6 }, (_, i) => span({ id: `s${i}` }));
      const res = await ingest.gql(INGEST, { spans: six });
      expectCode(res, 'PAYLOAD_TOO_LARGE');
      expect(res.data?.ingest ?? null).toBeNull();
      expect(await storedSpans(projectId)).toEqual([]);
      const traces = await limited.app.deps.db.selectFrom('traces').select('id').where('project_id', '=', projectId).execute();
      expect(traces).toEqual([]);

      // Exactly at the limit is fine.
      ok(await ingest.gql(INGEST, { spans: six.slice(0, 5) }));
      expect(await storedSpans(projectId)).toHaveLength(5);
    });

    it('a body over TOKENTRACE_MAX_BODY_BYTES is HTTP 413 PAYLOAD_TOO_LARGE before anything runs', async () => {
      const { secret, projectId } = await limited.projectWithKey();
      const body = JSON.stringify({ query: INGEST, variables: { spans: [span({ input: 'x'.repeat(25_000) })] } });
      const bytes = Buffer.byteLength(body);
      expect(bytes).toBeGreaterThan(20_000);
      limited.queries.length = 0;
      const res = await limited.app.yoga.fetch('http://localhost:4000/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(bytes), authorization: `Bearer ${secret}` },
        body,
      });
      expect(res.status).toBe(413);
      const json = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(json.errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
      // Refused before authentication or execution: not one statement ran.
      expect(limited.queries).toEqual([]);
      expect(await storedSpans(projectId)).toEqual([]);
    });
  });
});
