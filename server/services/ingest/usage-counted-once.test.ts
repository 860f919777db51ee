import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../../testing/test-app';

// Usage is counted once, where the model was called: a span's tokens and cost count towards trace
// totals and usage charts only when no span below it reports tokens too (docs/otel.md). The mark
// is recomputed under the trace lock, so the order in which spans arrive does not matter.

const TOTALS = `query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { totalTokens totalCostUsd spans { id totalTokens } } } }`;
const USAGE = `query($p: ID!, $from: DateTime!, $to: DateTime!) {
  project(id: $p) { usage(bucket: DAY, from: $from, to: $to) { series { tokens costUsd } byModel { model tokens } } }
}`;

// An agent (reports the whole run's usage) → a step (reports none) → a model call.
const agent = (traceId: string) => span({ id: `${traceId}-agent`, traceId, kind: 'AGENT', name: 'agent', promptTokens: 1000, completionTokens: 100 });
const step = (traceId: string) => span({ id: `${traceId}-step`, traceId, parentId: `${traceId}-agent`, kind: 'SPAN', name: 'step', promptTokens: null, completionTokens: null });
const call = (traceId: string) => span({ id: `${traceId}-call`, traceId, parentId: `${traceId}-step`, name: 'chat', promptTokens: 1000, completionTokens: 100 });
const CALL_COST = (1000 * 0.15 + 100 * 0.6) / 1e6;

describe('usage counted once', () => {
  let t: TestApp;
  let ingest: TestClient;
  let owner: TestClient;
  let projectId: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ ingest, owner, projectId } = await t.projectWithKey());
  });
  afterAll(() => t.close());

  const send = async (spans: Record<string, unknown>[]) => expect((await ingest.gql(INGEST, { spans })).data.ingest.rejected).toEqual([]);
  const totals = async (traceId: string) => (await owner.gql(TOTALS, { p: projectId, id: traceId })).data.project.trace;

  it('counts an agent alone while nothing below it reports usage, and its model calls instead once they arrive', async () => {
    await send([agent('top-down')]);
    expect(await totals('top-down')).toMatchObject({ totalTokens: 1100, totalCostUsd: expect.closeTo(CALL_COST, 12) });
    await send([step('top-down')]);
    await send([call('top-down')]);
    const after = await totals('top-down');
    expect(after).toMatchObject({ totalTokens: 1100, totalCostUsd: expect.closeTo(CALL_COST, 12) });
    // Every span still shows its own figures.
    expect(after.spans.map((s: { totalTokens: number | null }) => s.totalTokens).sort()).toEqual([1100, 1100, null]);
  });

  it('gives the same totals whatever order the spans arrive in', async () => {
    await send([call('bottom-up')]);
    await send([agent('bottom-up')]);
    // The step that links them comes last: only now is the agent known to repeat the call's usage.
    expect((await totals('bottom-up')).totalTokens).toBe(2200);
    await send([step('bottom-up')]);
    expect(await totals('bottom-up')).toMatchObject({ totalTokens: 1100, totalCostUsd: expect.closeTo(CALL_COST, 12) });
  });

  it('usage charts count the same way', async () => {
    const res = await owner.gql(USAGE, { p: projectId, from: '2026-10-30T00:00:00Z', to: '2026-11-05T00:00:00Z' });
    expect(res.errors).toBeUndefined();
    const { series, byModel } = res.data.project.usage;
    expect(series.reduce((n: number, p: { tokens: number }) => n + p.tokens, 0)).toBe(2 * 1100);
    expect(series.reduce((n: number, p: { costUsd: number }) => n + p.costUsd, 0)).toBeCloseTo(2 * CALL_COST, 12);
    expect(byModel).toEqual([{ model: 'gpt-4o-mini', tokens: 2 * 1100 }]);
  });

  it('counts a trace sent whole in one request once, whatever the order of its spans', async () => {
    await send([call('whole'), agent('whole'), step('whole')]);
    expect(await totals('whole')).toMatchObject({ totalTokens: 1100, totalCostUsd: expect.closeTo(CALL_COST, 12) });
    // A re-sent copy of the agent without the rest keeps what the stored spans show.
    await send([agent('whole')]);
    expect(await totals('whole')).toMatchObject({ totalTokens: 1100, totalCostUsd: expect.closeTo(CALL_COST, 12) });
  });

  it('unmarks a span whose model call moves to another parent in a later copy', async () => {
    const otherAgent = span({ id: 'moved-other', traceId: 'moved', kind: 'AGENT', name: 'other', promptTokens: 5, completionTokens: 5 });
    await send([agent('moved'), step('moved'), call('moved'), otherAgent]);
    expect((await totals('moved')).totalTokens).toBe(1100 + 10);
    // The call now hangs under the other agent: the first agent counts again, the other not.
    await send([{ ...call('moved'), parentId: 'moved-other' }]);
    expect((await totals('moved')).totalTokens).toBe(1100 + 1100);
  });
});
