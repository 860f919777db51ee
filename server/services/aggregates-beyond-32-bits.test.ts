import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../schema';
import { createTestApp, type TestApp, type TestClient } from '../testing/test-app';

// Totals and counts are sums over stored rows, and a sum of 32-bit values does not fit in 32
// bits: two spans of 2^31 − 1 prompt tokens each made `totalTokens` and `usage.series.tokens`
// fail every member's read with INTERNAL_SERVER_ERROR while they were GraphQL `Int`s. Ingest
// bounds what one span may claim; this file stores the rows directly, as anything that reached
// the database by another path would, and reads them back as a VIEWER.

const INT32_MAX = 2_147_483_647;
const READ = `query($p: ID!) {
  project(id: $p) {
    traces { totalCount edges { node { id totalTokens spanCount errorCount spans { totalTokens redactions { count } } } } }
    usage(from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z", bucket: DAY) {
      series { spans tokens errors }
      byModel { model spans tokens }
    }
  }
}`;

describe('counts and totals beyond 32 bits', () => {
  let t: TestApp;
  let projectId: string;
  let viewer: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    projectId = p.projectId;
    const member = await t.signUp('Viewer');
    viewer = member.client;
    const added = await p.owner.gql('mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e, role: VIEWER) { role } }', {
      p: projectId,
      e: member.email,
    });
    expect(added.errors).toBeUndefined();

    const { db } = t.app.deps;
    const spanRow = (id: string, traceId: string) => ({
      project_id: projectId,
      id,
      trace_id: traceId,
      kind: 'GENERATION',
      name: 'chat',
      model: 'gpt-4o-mini',
      prompt_tokens: INT32_MAX,
      completion_tokens: 0,
      total_tokens: INT32_MAX,
      start_time: new Date('2026-11-01T10:00:00.000Z'),
      status: 'ERROR',
      // A count stored in JSON can be anything at all.
      redactions: JSON.stringify([{ rule: 'email', count: 2 ** 40 }]),
    });
    await db.insertInto('spans').values([spanRow('s1', 'big'), spanRow('s2', 'big')]).execute();
    const traceRow = (id: string, totalTokens: string, counts: number) => ({
      project_id: projectId,
      id,
      start_time: new Date('2026-11-01T10:00:00.000Z'),
      span_count: counts,
      error_count: counts,
      // One session and one end user for both: their sums pass 2^32.
      session_id: 'session-big',
      user_id: 'user-big',
      // int8 goes in as text: above 2^53 a JavaScript number would already have lost digits.
      total_tokens: totalTokens as unknown as number,
    });
    await db
      .insertInto('traces')
      .values([traceRow('big', String(2 * INT32_MAX), 2), traceRow('huge', '9007199254740993', INT32_MAX)])
      .execute();
  });
  afterAll(() => t.close());

  it('reads every total and count of the trace list, the trace and the usage charts', async () => {
    const res = await viewer.gql(READ, { p: projectId });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { traces, usage } = res.data.project;
    const byId = Object.fromEntries(traces.edges.map((e: { node: { id: string } }) => [e.node.id, e.node]));
    expect(traces.totalCount).toBe(2);
    expect(byId.big).toMatchObject({ totalTokens: 4_294_967_294, spanCount: 2, errorCount: 2 });
    expect(byId.big.spans).toEqual([
      { totalTokens: INT32_MAX, redactions: [{ count: 2 ** 40 }] },
      { totalTokens: INT32_MAX, redactions: [{ count: 2 ** 40 }] },
    ]);
    // Past 2^53 − 1 a JSON number cannot carry every digit: the value comes as a decimal string,
    // rounded to what the server's number holds, rather than as an error.
    expect(typeof byId.huge.totalTokens).toBe('string');
    expect(BigInt(byId.huge.totalTokens) - 9007199254740993n).toBeLessThanOrEqual(1n);
    expect(byId.huge).toMatchObject({ spanCount: INT32_MAX, errorCount: INT32_MAX });
    expect(usage.series).toEqual([{ spans: 2, tokens: 4_294_967_294, errors: 2 }]);
    expect(usage.byModel).toEqual([{ model: 'gpt-4o-mini', spans: 2, tokens: 4_294_967_294 }]);
  });

  it('reads the sums and counts of sessions and end users', async () => {
    const res = await viewer.gql(
      `query($p: ID!) { project(id: $p) {
        sessions { edges { node { id traceCount totalTokens errorCount errorTraces unpricedTraces } } }
        endUsers { edges { node { id traceCount sessionCount totalTokens errorCount errorTraces } } }
        traces { boundedCount(max: 10) { count exact } }
      } }`,
      { p: projectId },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { sessions, endUsers, traces } = res.data.project;
    // errorCount: INT32_MAX + 2 failed spans, more than a 32-bit Int holds.
    expect(sessions.edges[0].node).toMatchObject({ id: 'session-big', traceCount: 2, errorCount: INT32_MAX + 2, errorTraces: 2 });
    expect(endUsers.edges[0].node).toMatchObject({ id: 'user-big', traceCount: 2, sessionCount: 1, errorCount: INT32_MAX + 2, errorTraces: 2 });
    expect(Number(sessions.edges[0].node.totalTokens)).toBeGreaterThan(2 ** 53);
    expect(traces.boundedCount).toEqual({ count: 2, exact: true });
  });

  it('types every count and sum of stored rows as BigInt, never the 32-bit Int', () => {
    // Int is left where the value is bounded by what one request or one span may carry, or is
    // not a count at all. A new count typed Int fails here.
    const boundedInts = new Set([
      'Span.promptTokens', 'Span.completionTokens', 'Span.totalTokens', 'Span.cacheReadTokens', 'Span.cacheWriteTokens', 'Span.reasoningTokens',
      'IngestResult.accepted', 'IngestRejection.index', 'Retention.contentDays', 'Retention.traceDays',
      // schema/types/usage-facts.ts, owned by the usage roll-ups: still Int for now.
      'Trace.unpricedSpans', 'Trace.generationsWithoutUsage',
    ]);
    const intFields: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (getNamedType(field.type).name === 'Int') intFields.push(`${type.name}.${field.name}`);
      }
    }
    expect(intFields.filter((f) => !boundedInts.has(f))).toEqual([]);
  });
});
