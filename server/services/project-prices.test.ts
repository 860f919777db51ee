import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Custom prices per project (issue 16): ADMIN+ and audited, overriding the built-in table from
// their date; which price costed a span; unknown costs filled in only on request, known ones never
// rewritten.

const SET = `mutation($p: ID!, $i: ModelPriceInput!) { setModelPrice(projectId: $p, input: $i) {
  id source model match inputUsdPerMillion cachedInputUsdPerMillion outputUsdPerMillion perRequestUsd effectiveFrom archivedAt createdBy { id } } }`;
const FILL = `mutation($p: ID!, $m: String!) { priceUnpricedSpans(projectId: $p, model: $m) { model spans traces stillUnpriced remaining } }`;
const SPAN_PRICES = `query($p: ID!, $t: ID!) { project(id: $p) { trace(id: $t) { totalCostUsd spans { id costUsd price { recordedAtIngest price { id source model effectiveFrom archivedAt sourceNote } } } } } }`;

describe('custom model prices', () => {
  let t: TestApp;
  let owner: TestClient;
  let ownerId: string;
  let ingest: TestClient;
  let projectId: string;
  let viewer: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    ({ owner, ownerId, ingest, projectId } = p);
    const v = await t.signUp('Viewer');
    viewer = v.client;
    await owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', { p: projectId, e: v.email });
    const res = await ingest.gql(INGEST, {
      spans: [
        span({ id: 'acme-1', traceId: 'ta', model: 'acme-llm-9000', promptTokens: 1_000_000, completionTokens: 500_000, startTime: '2026-11-01T10:00:00.000Z' }),
        span({ id: 'acme-2', traceId: 'ta', model: 'acme-llm-9000', promptTokens: 2_000_000, completionTokens: 0, startTime: '2026-11-01T10:00:01.000Z' }),
        span({ id: 'acme-old', traceId: 'tb', model: 'acme-llm-9000', promptTokens: 10, completionTokens: 10, startTime: '2026-06-01T10:00:00.000Z' }),
        span({ id: 'mini-1', traceId: 'tc', model: 'gpt-4o-mini', promptTokens: 1_000, completionTokens: 100, startTime: '2026-11-01T10:00:00.000Z' }),
      ],
    });
    expect(res.data.ingest.rejected).toEqual([]);
  });
  afterAll(() => t.close());

  it('lets an admin set a price, audited in the same transaction; a viewer may read but not set', async () => {
    const refused = await viewer.gql(SET, { p: projectId, i: { model: 'acme-llm-9000', inputUsdPerMillion: 1, outputUsdPerMillion: 2 } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const res = await owner.gql(SET, { p: projectId, i: { model: 'acme-llm-9000', inputUsdPerMillion: 1, outputUsdPerMillion: 2, effectiveFrom: '2026-10-01T00:00:00Z' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.setModelPrice).toMatchObject({ source: 'PROJECT', model: 'acme-llm-9000', match: 'EXACT', inputUsdPerMillion: 1, cachedInputUsdPerMillion: null, createdBy: { id: ownerId } });
    expect(res.data.setModelPrice.id).toMatch(/^project:[0-9a-f-]{36}$/);

    const log = await owner.gql(`query($p: ID!) { project(id: $p) { auditLog(filter: { action: "model_price.set" }) { edges { node { targetLabel details } } } } }`, { p: projectId });
    expect(log.data.project.auditLog.edges[0].node).toMatchObject({ targetLabel: 'acme-llm-9000', details: { model: 'acme-llm-9000', inputUsdPerMillion: 1, outputUsdPerMillion: 2 } });

    const read = await viewer.gql(`query($p: ID!) { project(id: $p) { modelPrices { model inputUsdPerMillion } } }`, { p: projectId });
    expect(read.data.project.modelPrices).toEqual([{ model: 'acme-llm-9000', inputUsdPerMillion: 1 }]);
  });

  it('refuses prices that cannot be used, with BAD_USER_INPUT and nothing stored', async () => {
    for (const input of [
      { model: '', inputUsdPerMillion: 1, outputUsdPerMillion: 1 },
      { model: 'x', inputUsdPerMillion: -1, outputUsdPerMillion: 1 },
      { model: 'x', inputUsdPerMillion: 1, outputUsdPerMillion: 1e9 },
      { model: 'x', inputUsdPerMillion: 1, outputUsdPerMillion: 1, perRequestUsd: 1000 },
      { model: '(a)\\1', match: 'PATTERN', inputUsdPerMillion: 1, outputUsdPerMillion: 1 },
      { model: 'x', inputUsdPerMillion: 1, outputUsdPerMillion: 1, effectiveFrom: '1999-01-01T00:00:00Z' },
    ]) {
      const res = await owner.gql(SET, { p: projectId, i: input });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    const list = await owner.gql(`query($p: ID!) { project(id: $p) { modelPrices(includeArchived: true) { model } } }`, { p: projectId });
    expect(list.data.project.modelPrices).toHaveLength(1);
  });

  it('does not rewrite history: the stored cost stays unknown until unknown costs are filled on request', async () => {
    const before = await owner.gql(SPAN_PRICES, { p: projectId, t: 'ta' });
    expect(before.data.project.trace.totalCostUsd).toBeNull();

    const fill = await owner.gql(FILL, { p: projectId, m: 'acme-llm-9000' });
    expect(fill.errors).toBeUndefined();
    // acme-old started before the price's date: no price covers it, so it stays unknown.
    expect(fill.data.priceUnpricedSpans).toEqual({ model: 'acme-llm-9000', spans: 2, traces: 1, stillUnpriced: 1, remaining: false });

    const after = await owner.gql(SPAN_PRICES, { p: projectId, t: 'ta' });
    const spans = Object.fromEntries(after.data.project.trace.spans.map((s: { id: string }) => [s.id, s]));
    expect(spans['acme-1'].costUsd).toBeCloseTo(1 + 1, 10);
    expect(spans['acme-2'].costUsd).toBeCloseTo(2, 10);
    expect(after.data.project.trace.totalCostUsd).toBeCloseTo(4, 10);
    expect(spans['acme-1'].price).toMatchObject({ recordedAtIngest: true, price: { source: 'PROJECT', model: 'acme-llm-9000', effectiveFrom: '2026-10-01T00:00:00.000Z' } });

    // Nothing left to fill; a second call changes nothing and records nothing.
    expect((await owner.gql(FILL, { p: projectId, m: 'acme-llm-9000' })).data.priceUnpricedSpans.spans).toBe(0);
    const entries = await owner.gql(`query($p: ID!) { project(id: $p) { auditLog(filter: { action: "model_price.fill_unpriced" }) { edges { node { details } } } } }`, { p: projectId });
    expect(entries.data.project.auditLog.edges).toHaveLength(1);
  });

  it('fills costs into trace totals counting usage once, where the model was called', async () => {
    const model = 'acme-agent-1';
    const sent = await ingest.gql(INGEST, {
      spans: [
        span({ id: 'ag', traceId: 'td', kind: 'AGENT', name: 'agent', model, promptTokens: 1_000_000, completionTokens: 0 }),
        span({ id: 'ag-call', traceId: 'td', parentId: 'ag', model, promptTokens: 1_000_000, completionTokens: 0 }),
      ],
    });
    expect(sent.data.ingest.rejected).toEqual([]);
    await owner.gql(SET, { p: projectId, i: { model, inputUsdPerMillion: 3, outputUsdPerMillion: 3, effectiveFrom: '2026-10-01T00:00:00Z' } });
    expect((await owner.gql(FILL, { p: projectId, m: model })).data.priceUnpricedSpans).toMatchObject({ spans: 2, traces: 1 });
    const after = await owner.gql(SPAN_PRICES, { p: projectId, t: 'td' });
    // Each span shows its own cost; the agent repeats its call's usage, so the total counts it once.
    expect(after.data.project.trace.spans.map((s: { costUsd: number }) => s.costUsd)).toEqual([3, 3]);
    expect(after.data.project.trace.totalCostUsd).toBeCloseTo(3, 10);
  });

  it('never changes a cost that was already recorded, even when the project prices the model differently', async () => {
    const mini = async () => (await owner.gql(SPAN_PRICES, { p: projectId, t: 'tc' })).data.project.trace.spans[0];
    const before = await mini();
    expect(before.price).toMatchObject({ price: { source: 'BUILT_IN', model: 'gpt-4o-mini', sourceNote: expect.stringContaining('OpenAI') } });
    await owner.gql(SET, { p: projectId, i: { model: 'gpt-4o-mini', inputUsdPerMillion: 100, outputUsdPerMillion: 100 } });
    expect((await owner.gql(FILL, { p: projectId, m: 'gpt-4o-mini' })).data.priceUnpricedSpans.spans).toBe(0);
    const after = await mini();
    expect(after.costUsd).toBe(before.costUsd);
    expect(after.price.price.source).toBe('BUILT_IN');
  });

  it('gives ingest a pricer where the project price applies from its date and the built-in table before', async () => {
    await owner.gql(SET, { p: projectId, i: { model: '^house-.*$', match: 'PATTERN', inputUsdPerMillion: 4, outputUsdPerMillion: 4, effectiveFrom: '2026-11-01T00:00:00Z' } });
    const pricer = await t.app.deps.prices.forProject(projectId);
    const tokens = { promptTokens: 1_000_000, completionTokens: 0 };
    expect(pricer.price('house-7b', new Date('2026-11-02T00:00:00Z'), tokens)).toMatchObject({ costUsd: 4, priceRef: expect.stringMatching(/^project:/) });
    expect(pricer.price('house-7b', new Date('2026-10-31T00:00:00Z'), tokens)).toMatchObject({ costUsd: null, priceRef: null });
    expect(pricer.price('gpt-4o-mini', new Date('2026-11-02T00:00:00Z'), tokens)).toMatchObject({ costUsd: 100 });
    expect(pricer.price('gpt-4o', new Date('2026-11-02T00:00:00Z'), tokens)).toMatchObject({ costUsd: 2.5, priceRef: expect.stringMatching(/^builtin:\d+$/) });
    // Another project sees none of it.
    const other = await t.projectWithKey();
    expect((await t.app.deps.prices.forProject(other.projectId)).price('gpt-4o-mini', new Date('2026-11-02T00:00:00Z'), tokens).costUsd).toBe(0.15);
  });

  it('replaces a price with the same model and date, and archives without losing what it costed', async () => {
    const again = await owner.gql(SET, { p: projectId, i: { model: 'ACME-llm-9000', inputUsdPerMillion: 3, outputUsdPerMillion: 3, effectiveFrom: '2026-10-01T00:00:00Z' } });
    expect(again.errors).toBeUndefined();
    const all = (await owner.gql(`query($p: ID!) { project(id: $p) { modelPrices(includeArchived: true) { id model inputUsdPerMillion archivedAt } } }`, { p: projectId })).data.project.modelPrices;
    const acme = all.filter((p: { model: string }) => p.model.toLowerCase() === 'acme-llm-9000');
    expect(acme.map((p: { inputUsdPerMillion: number; archivedAt: string | null }) => [p.inputUsdPerMillion, p.archivedAt === null])).toEqual([
      [1, false],
      [3, true],
    ]);
    const archived = await owner.gql(`mutation($p: ID!, $id: ID!) { archiveModelPrice(projectId: $p, id: $id) { archivedAt } }`, { p: projectId, id: again.data.setModelPrice.id });
    expect(archived.data.archiveModelPrice.archivedAt).not.toBeNull();
    const active = (await owner.gql(`query($p: ID!) { project(id: $p) { modelPrices { model } } }`, { p: projectId })).data.project.modelPrices;
    expect(active.map((p: { model: string }) => p.model.toLowerCase())).not.toContain('acme-llm-9000');
    // The spans costed with the first acme price still name it.
    const span = (await owner.gql(SPAN_PRICES, { p: projectId, t: 'ta' })).data.project.trace.spans[0];
    expect(span.price.price).toMatchObject({ source: 'PROJECT', archivedAt: expect.any(String) });
    const missing = await owner.gql(`mutation($p: ID!) { archiveModelPrice(projectId: $p, id: "builtin:1") { id } }`, { p: projectId });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists the built-in rows that price a model, with their source and date', async () => {
    const res = await viewer.gql(`query($p: ID!) { project(id: $p) { builtInModelPrices(model: "gpt-4o-2024-08-06") { id source model match effectiveFrom sourceNote inputUsdPerMillion cachedInputUsdPerMillion } } }`, { p: projectId });
    expect(res.errors).toBeUndefined();
    expect(res.data.project.builtInModelPrices).toEqual([
      expect.objectContaining({ source: 'BUILT_IN', match: 'PATTERN', effectiveFrom: '2024-08-06T00:00:00.000Z', inputUsdPerMillion: 2.5, cachedInputUsdPerMillion: 1.25, sourceNote: expect.stringContaining('openai.com') }),
    ]);
  });
});
