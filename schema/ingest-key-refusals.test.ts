import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, INGEST, span, TEST_PASSWORD, type TestApp, type TestClient } from '../server/testing/test-app';
import { schema } from './index';

// An ingest key lives in SDKs, CI secrets and customer servers: if it leaks, the damage must
// stop at writing spans into its one project (architecture: "every query field refuses it").
// Every root field is called with a real key, built from the schema itself, so a field added
// later is probed without anyone remembering to add it here.

/** The one root field an ingest key may call. */
const INGEST_KEY_MAY_CALL = new Set(['Mutation.ingest']);
const REFUSAL_CODES = ['FORBIDDEN', 'UNAUTHENTICATED'];
const STREAM_TIMEOUT_MS = 5_000;

type AnyField = GraphQLField<unknown, unknown>;
type OperationKind = 'query' | 'mutation' | 'subscription';

interface Fixture {
  projectId: string;
  ownerId: string;
  ownerEmail: string;
  keyId: string;
}

interface RootField {
  kind: OperationKind;
  type: GraphQLObjectType;
  field: AnyField;
  label: string;
}

function rootFields(): RootField[] {
  const roots: [OperationKind, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) =>
    type ? Object.values(type.getFields()).map((field) => ({ kind, type, field, label: `${type.name}.${field.name}` })) : [],
  );
}

// Plausible values: the real project, owner and key wherever an argument names one, so a
// missing check would act on real data (and show) instead of failing on a made-up id.
function idFor(fieldName: string, argName: string, f: Fixture): string {
  if (/user/i.test(argName)) return f.ownerId;
  if (/project/i.test(argName)) return f.projectId;
  if (/apikey/i.test(fieldName)) return f.keyId;
  if (/project|auditlog/i.test(fieldName)) return f.projectId;
  return randomUUID();
}

function scalarFor(scalar: string, fieldName: string, argName: string, f: Fixture): unknown {
  switch (scalar) {
    case 'ID':
      return idFor(fieldName, argName, f);
    case 'String':
      if (/email/i.test(argName)) return f.ownerEmail;
      if (/password/i.test(argName)) return TEST_PASSWORD;
      return `probe-${argName}`;
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'DateTime':
    case 'SpanTime':
      // An hour ahead: a valid expiry, and within the clock skew ingest accepts for spans.
      return new Date(Date.now() + 3_600_000).toISOString();
    case 'JSON':
      return { probe: true };
    default:
      throw new Error(`No plausible value for scalar ${scalar}: teach ingest-key-refusals.test.ts about it.`);
  }
}

function valueFor(type: GraphQLInputType, fieldName: string, argName: string, f: Fixture): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, fieldName, argName, f);
  if (isListType(type)) return [valueFor(type.ofType, fieldName, argName, f)];
  if (isEnumType(type)) {
    const first = type.getValues()[0];
    if (!first) throw new Error(`Enum ${type.name} has no values`);
    return first.name;
  }
  if (isInputObjectType(type)) {
    // Required fields only: the smallest input the server must accept as well-formed.
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((inner) => isNonNullType(inner.type) && inner.defaultValue === undefined)
        .map((inner) => [inner.name, valueFor(inner.type, fieldName, inner.name, f)]),
    );
  }
  if (isScalarType(type)) return scalarFor(type.name, fieldName, argName, f);
  throw new Error(`Unexpected input type ${String(type)}`);
}

function buildOperation(root: RootField, f: Fixture): { query: string; variables: Record<string, unknown> } {
  const required = root.field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const variables = Object.fromEntries(required.map((a) => [a.name, valueFor(a.type, root.field.name, a.name, f)]));
  const definitions = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(root.field.type);
  const selection = isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
  const query =
    `${root.kind} Probe${definitions ? `(${definitions})` : ''} ` +
    `{ ${root.field.name}${args ? `(${args})` : ''}${selection} }`;
  return { query, variables };
}

interface GraphQLResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

/**
 * Sends a subscription as GraphQL over SSE and returns the first result it yields (or the
 * single JSON result if the server answers without a stream), then stops reading.
 */
async function firstSubscriptionResult(
  t: TestApp,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
  whileWaiting?: () => Promise<void>,
): Promise<GraphQLResult | 'no-result'> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), STREAM_TIMEOUT_MS);
  let poke: ReturnType<typeof setInterval> | undefined;
  try {
    const res = await t.app.yoga.fetch('http://localhost:4000/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    if (!res.headers.get('content-type')?.includes('text/event-stream')) return (await res.json()) as GraphQLResult;
    if (!res.body) return 'no-result';
    if (whileWaiting) poke = setInterval(() => void whileWaiting().catch(() => {}), 100);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return 'no-result';
        buffer += chunk.value;
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const lines = event.split('\n');
          const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (name === 'complete') return 'no-result';
          if (data) return JSON.parse(data) as GraphQLResult; // comments (":") are keep-alives
        }
      }
    } finally {
      abort.abort();
      await reader.cancel().catch(() => {});
    }
  } catch (err) {
    if (abort.signal.aborted) return 'no-result';
    throw err;
  } finally {
    clearTimeout(timer);
    if (poke) clearInterval(poke);
  }
}

function expectRefused(result: GraphQLResult, fieldName: string) {
  const errors = result.errors ?? [];
  expect(errors, `expected ${fieldName} to be refused`).not.toHaveLength(0);
  for (const error of errors) {
    // Only refusals: a validation or masked error would mean the probe, not the rule, failed.
    expect(REFUSAL_CODES, `${fieldName}: ${error.message}`).toContain(error.extensions?.code);
  }
  expect(errors.some((e) => e.path?.[0] === fieldName)).toBe(true);
  expect(result.data?.[fieldName] ?? null).toBeNull();
}

const fields = rootFields();
const refusedOnRequest = fields.filter((r) => r.kind !== 'subscription' && !INGEST_KEY_MAY_CALL.has(r.label));
const subscriptions = fields.filter((r) => r.kind === 'subscription');

describe('an ingest key', () => {
  let t: TestApp;
  let fixture: Fixture;
  let ingest: TestClient;
  let owner: TestClient;
  let secret: string;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await t.projectWithKey();
    const me = await p.owner.gql('{ viewer { email } }');
    fixture = { projectId: p.projectId, ownerId: p.ownerId, ownerEmail: me.data.viewer.email, keyId: p.keyId };
    ingest = p.ingest;
    owner = p.owner;
    secret = p.secret;
  });
  afterAll(() => t.close());

  it('finds the root fields to probe', () => {
    expect(refusedOnRequest.length).toBeGreaterThan(5);
    expect(subscriptions.length).toBeGreaterThan(0);
    expect(fields.map((r) => r.label)).toEqual(expect.arrayContaining([...INGEST_KEY_MAY_CALL]));
  });

  it.each(refusedOnRequest.map((r) => [r.label, r] as const))('is refused %s', async (_label, root) => {
    const { query, variables } = buildOperation(root, fixture);
    const res = await ingest.gql(query, variables);
    expectRefused(res, root.field.name);
  });

  it.each(subscriptions.map((r) => [r.label, r] as const))('is refused %s, with an error instead of a stream', async (_label, root) => {
    const { query, variables } = buildOperation(root, fixture);
    // Keep ingesting while waiting: a subscription that slipped through would yield a span.
    const result = await firstSubscriptionResult(t, query, variables, { authorization: `Bearer ${secret}` }, async () => {
      await ingest.gql(INGEST, { spans: [span()] });
    });
    expect(result, 'the subscription neither answered nor errored').not.toBe('no-result');
    if (result === 'no-result') return;
    expectRefused(result, root.field.name);
  });

  it('can call ingest, its one allowed field, built the same way', async () => {
    const root = fields.find((r) => r.label === 'Mutation.ingest');
    if (!root) throw new Error('Mutation.ingest is missing from the schema');
    const { query, variables } = buildOperation(root, fixture);
    const res = await ingest.gql(query, variables);
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest.__typename).toBe('IngestResult');
  });

  it('ingests spans into its project, which it still cannot read', async () => {
    const res = await ingest.gql(INGEST, { spans: [span({ traceId: 'refusals-trace' })] });
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest).toEqual({ accepted: 1, rejected: [] });

    const read = await ingest.gql('query($id: ID!) { project(id: $id) { id traces { edges { node { id } } } } }', {
      id: fixture.projectId,
    });
    expectRefused(read, 'project');

    // The owner does see it: the span really went into this project.
    const seen = await owner.gql('query($id: ID!) { project(id: $id) { trace(id: "refusals-trace") { spanCount } } }', {
      id: fixture.projectId,
    });
    expect(seen.errors).toBeUndefined();
    expect(seen.data.project.trace).toEqual({ spanCount: 1 });
  });

  it('changed nothing while being refused', async () => {
    // The probes above named the real project, owner and key: none of it may have changed.
    const res = await owner.gql(
      'query($id: ID!) { project(id: $id) { name members { user { id } role } apiKeys { id revokedAt expiresAt } settings { contentVisibility } } projects { id } }',
      { id: fixture.projectId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.project).toEqual({
      name: 'test project',
      members: [{ user: { id: fixture.ownerId }, role: 'OWNER' }],
      apiKeys: [{ id: fixture.keyId, revokedAt: null, expiresAt: null }],
      settings: { contentVisibility: 'MEMBERS' },
    });
    expect(res.data.projects).toEqual([{ id: fixture.projectId }]);
  });

  it('is the only caller refused: the owner gets a stream of spans from the same subscription', async () => {
    // A positive control for the stream reader, so the refusal above cannot pass because the
    // reader never sees anything.
    const root = subscriptions.find((r) => r.field.name === 'spanIngested');
    if (!root || !owner.cookie) throw new Error('spanIngested or the owner session is missing');
    const query = `subscription($projectId: ID!) { spanIngested(projectId: $projectId) { name } }`;
    const result = await firstSubscriptionResult(t, query, { projectId: fixture.projectId }, { cookie: owner.cookie }, async () => {
      await ingest.gql(INGEST, { spans: [span({ name: 'live' })] });
    });
    expect(result).toEqual({ data: { spanIngested: { name: 'live' } } });
  });
});
