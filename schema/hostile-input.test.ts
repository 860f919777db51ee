import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coveredFields, generateHostileCases, type HostileCase } from '../server/testing/hostile-cases';
import { createTestApp, INGEST, span, TEST_PASSWORD, type TestApp } from '../server/testing/test-app';
import { schema } from './index';

// Every class of bad value — NUL, lone surrogates, huge numbers, deep nesting, bad dates, forged
// cursors, malformed ids, wrong types — sent to every argument of every field reachable from
// Query, Mutation and Subscription, and to every field of their input objects, as generated
// from the schema (server/testing/hostile-cases.ts). Callers are authorised (the project's
// OWNER; its ingest key for `ingest`), so each value gets past authentication to the argument
// guard and the resolvers. Each answer must be a 4xx or a GraphQL error with a code, never
// INTERNAL_SERVER_ERROR (where the value may be valid, just no internal error), and the server
// must answer normally afterwards.

interface Answer {
  status: number;
  codes: (string | undefined)[];
  errors: number;
}

describe('hostile input, generated from the schema', () => {
  let t: TestApp;
  let ownerCookie: string;
  let ingestKey: string;
  let cases: HostileCase[];

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    ownerCookie = p.owner.cookie!;
    ingestKey = p.secret;
    const seeded = await p.ingest.gql(INGEST, { spans: [span({ traceId: 'trace-1', trace: { userId: 'end-user-1', sessionId: 'session-1' } })] });
    expect(seeded.data.ingest.accepted).toBe(1);
    cases = generateHostileCases(schema, {
      byName: { projectId: p.projectId, userId: p.ownerId, email: 'nobody@example.com', password: TEST_PASSWORD, newPassword: 'another long passphrase' },
      byCoordinate: {
        'Query.project.id': p.projectId,
        'Project.trace.id': 'trace-1',
        // Existing groups, so fields below them (their traces' cursors) are reached too.
        'Project.endUser.id': 'end-user-1',
        'Project.session.id': 'session-1',
        'Project.usage.to': '2026-11-02T00:00:00.000Z',
        'SpanInput.id': 'hostile-span',
        'SpanInput.traceId': 'hostile-trace',
        'SpanInput.startTime': new Date().toISOString(),
      },
    });
  });
  afterAll(() => t?.close());

  /** Sends one case as its principal, without keeping any cookie it may set. */
  async function send(c: HostileCase): Promise<Answer> {
    const credentials: Record<string, string> = c.rootField === 'ingest' ? { authorization: `Bearer ${ingestKey}` } : { cookie: ownerCookie };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5_000);
    try {
      const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...credentials },
        body: `{"query":${JSON.stringify(c.query)},"variables":${c.variablesJson}}`,
      });
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      return { status: res.status, codes: (body.errors ?? []).map((e) => e.extensions?.code), errors: body.errors?.length ?? 0 };
    } catch (err) {
      // A subscription that accepted its arguments stays open: that is an answer without error.
      if (c.operation === 'subscription' && abort.signal.aborted) return { status: 200, codes: [], errors: 0 };
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  const isRefusal = (a: Answer) => (a.status >= 400 && a.status < 500) || (a.errors > 0 && a.codes.every((code) => code !== undefined));
  const isInternal = (a: Answer) => a.status >= 500 || a.codes.some((code) => code === undefined || code === 'INTERNAL_SERVER_ERROR');

  it('reaches every argument-taking field of the schema', () => {
    const reached = coveredFields(cases);
    for (const field of ['Query.project', 'Query.verifyAuditLog', 'Project.traces', 'Project.trace', 'Project.auditLog', 'Project.usage', 'Mutation.ingest', 'Mutation.removeProjectMember', 'Subscription.spanIngested']) {
      expect(reached).toContain(field);
    }
    // Whatever the schema holds: every root field with arguments, and every field with
    // arguments on a type a query can reach.
    for (const root of [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!]) {
      for (const field of Object.values(root.getFields())) {
        if (field.args.length > 0) expect(reached).toContain(`${root.name}.${field.name}`);
      }
    }
    expect(cases.length).toBeGreaterThan(500);
  });

  it('refuses every invalid value with a code, never an internal error, and keeps answering', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const answer = await send(c);
      const ok = c.mustReject ? isRefusal(answer) && !isInternal(answer) : !isInternal(answer);
      if (!ok) {
        failures.push(`${c.name} → HTTP ${answer.status} ${JSON.stringify(answer.codes)}`);
      }
      // The server still answers, and correctly, after each one.
      const alive = await t.app.yoga.fetch('http://localhost:4000/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: ownerCookie },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(alive.status, `after ${c.name}`).toBe(200);
      expect(((await alive.json()) as { data: { viewer: { id: string } | null } }).data.viewer, `after ${c.name}`).not.toBeNull();
    }
    expect(failures.join("\n"), `${failures.length} of ${cases.length} cases`).toBe("");
  }, 600_000);

  it('refuses a document nested deeper than the limits, before it is parsed in full', async () => {
    const deepSelection = `{ viewer { ${'sessions { '.repeat(2000)}id${' }'.repeat(2000)} } }`;
    const deepLiteral = `query($p: ID!) { project(id: $p) { traces(filter: { tags: ${'['.repeat(3000)}"x"${']'.repeat(3000)} }) { totalCount } } }`;
    for (const query of [deepSelection, deepLiteral]) {
      const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', cookie: ownerCookie },
        body: JSON.stringify({ query, variables: { p: '6f1c2a9e-3b7d-4c41-9a55-0e8f2d6b7a10' } }),
      });
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(body.errors?.length).toBeGreaterThan(0);
    }
  });
});
