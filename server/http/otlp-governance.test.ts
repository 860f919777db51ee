import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeContent } from '../storage/content';
import { firstSpanEvent } from '../testing/live-tail';
import { newSpanId, newTraceId, otlpRequest, otlpSpan, startOtlpServer, type OtlpServer } from '../testing/otlp';
import { createTestApp, INGEST, span, type TestApp } from '../testing/test-app';

// The OTLP door gets the same governance as GraphQL ingest, because both feed one pipeline:
// project redaction (built-in rules and custom patterns, on content, metadata, error messages and
// trace metadata), encryption at rest, the live tail, idempotent re-sends, the shared rate limit —
// and a failed store answers 503 with Retry-After, so the exporter sends the batch again.

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, input: $input) { id } }`;
const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { metadata spanCount totalTokens spans { id input output metadata statusMessage redactions { rule count } } } }
}`;

// Twice: bodies read on the server's thread, and read in the OTLP read worker (otlp-read-pool.ts).
describe.each([
  { reader: 'on the server thread', otlpReadMinBytes: Number.POSITIVE_INFINITY },
  { reader: 'in the OTLP read worker', otlpReadMinBytes: 0 },
])('OTLP ingest follows the project governance, bodies read $reader', ({ otlpReadMinBytes }) => {
  let t: TestApp;
  let server: OtlpServer;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_REDACTION_BUDGET_MS: '10000' }, { otlpReadMinBytes });
    if (otlpReadMinBytes === 0) expect(await t.app.deps.otlpReadPool!.warm()).toBe(true);
    server = await startOtlpServer(t);
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('redacts content, metadata, error messages and trace metadata, and encrypts content at rest', async () => {
    const { owner, projectId, secret } = await t.projectWithKey();
    const saved = await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true, customPatterns: [{ name: 'order-id', pattern: 'ORD-\\d{6}' }] } });
    expect(saved.errors).toBeUndefined();
    const traceId = newTraceId();
    const spanId = newSpanId();
    const request = otlpRequest(
      [
        otlpSpan({
          traceId,
          spanId,
          name: 'chat',
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'I am ann.lee@example.com, order ORD-123456' }] }]),
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Found ORD-123456 for ann.lee@example.com' }] }]),
            'app.order': 'ORD-654321',
          },
          status: { code: 2 },
          events: [{ name: 'exception', attributes: { 'exception.type': 'LookupError', 'exception.message': 'no account for ann.lee@example.com' } }],
        }),
      ],
      { 'service.name': 'shop', 'app.release.order': 'ORD-111111' },
    );
    const res = await server.post(request, { secret });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({});

    const read = await owner.gql(TRACE, { p: projectId, id: traceId });
    const trace = read.data.project.trace;
    const shown = JSON.stringify(trace);
    expect(shown).not.toMatch(/ann\.lee@example\.com|ORD-\d{6}/);
    expect(trace.metadata['service.name']).toBe('shop');
    const stored = trace.spans[0];
    expect(stored.statusMessage).toMatch(/^LookupError: no account for /);
    expect(stored.redactions.map((r: { rule: string }) => r.rule)).toContain('order-id');

    // At rest: sealed by the codec, and what it seals is the redacted text.
    const row = await t.app.deps.db.selectFrom('spans').select(['input']).where('project_id', '=', projectId).where('id', '=', spanId).executeTakeFirstOrThrow();
    expect(Buffer.from(row.input!).toString('latin1')).not.toContain('order');
    const decoded = JSON.stringify(decodeContent(t.app.deps.codec, row.input, { projectId, table: 'spans', rowId: spanId, column: 'input', keys: await t.app.deps.projectKeys.forProject(projectId) }));
    expect(decoded).toContain('order');
    expect(decoded).not.toMatch(/ann\.lee@example\.com|ORD-123456/);
  });

  it('reaches live-tail subscribers with its hex ids', async () => {
    const { owner, projectId, secret } = await t.projectWithKey();
    const traceId = newTraceId();
    const spanId = newSpanId();
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi ✓' }] }]);
    const event = await firstSpanEvent(t, owner, projectId, 'id traceId kind model promptTokens input', () =>
      server.post(
        otlpRequest([otlpSpan({ traceId, spanId, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 9, 'gen_ai.input.messages': messages } })]),
        { secret },
      ),
    );
    // Content too: read in the worker, it reaches the subscriber as the value (publish-spans.ts).
    expect(event.data.spanIngested).toEqual({ id: spanId, traceId, kind: 'GENERATION', model: 'gpt-4o', promptTokens: 9, input: { messages: [{ role: 'user', content: 'hi ✓' }] } });
  });

  it('a span sent again completes the stored one instead of doubling it', async () => {
    const { owner, projectId, secret } = await t.projectWithKey();
    const traceId = newTraceId();
    const spanId = newSpanId();
    const first = otlpSpan({ traceId, spanId, name: 'chat', attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10 } });
    expect((await server.post(otlpRequest([first]), { secret })).status).toBe(200);
    expect((await server.post(otlpRequest([first]), { secret })).status).toBe(200);
    const later = otlpSpan({ traceId, spanId, name: 'chat', attributes: { 'gen_ai.usage.output_tokens': 5, 'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"done"}]}]' } });
    expect((await server.post(otlpRequest([later]), { secret })).status).toBe(200);
    const trace = (await owner.gql(TRACE, { p: projectId, id: traceId })).data.project.trace;
    expect(trace).toMatchObject({ spanCount: 1, totalTokens: 15 });
    expect(trace.spans[0].output).toEqual({ role: 'assistant', content: 'done' });
  });

  it('answers 503 with Retry-After when the spans cannot be stored, and stores them when sent again', async () => {
    const { owner, projectId, secret } = await t.projectWithKey();
    // The database refuses this project's spans for a moment (other tests' rows pass).
    const name = `tt_test_refuse_${randomBytes(4).toString('hex')}`;
    await sql
      .raw(`create function ${name}() returns trigger language plpgsql as $$ begin
              if new.project_id = '${projectId}' then raise exception 'simulated outage'; end if; return new; end $$`)
      .execute(t.app.deps.db);
    await sql.raw(`create trigger ${name} before insert on spans for each row execute function ${name}()`).execute(t.app.deps.db);
    const traceId = newTraceId();
    const request = otlpRequest([otlpSpan({ traceId })]);
    try {
      const refused = await server.post(request, { secret });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.json()).toEqual({ code: 14, message: 'The spans could not be stored; try again.' });
    } finally {
      await sql.raw(`drop trigger ${name} on spans`).execute(t.app.deps.db);
      await sql.raw(`drop function ${name}()`).execute(t.app.deps.db);
    }
    expect((await server.post(request, { secret })).status).toBe(200);
    expect((await owner.gql(TRACE, { p: projectId, id: traceId })).data.project.trace.spanCount).toBe(1);
  });

  it('read the bodies where it says', () => {
    const { read, handedBack } = t.app.deps.otlpReadPool!.stats();
    expect(handedBack).toBe(0);
    if (otlpReadMinBytes === 0) expect(read).toBeGreaterThan(3);
    else expect(read).toBe(0);
  });
});

describe('the ingest rate limit (TOKENTRACE_INGEST_SPANS_PER_MINUTE)', () => {
  let t: TestApp;
  let server: OtlpServer;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_INGEST_SPANS_PER_MINUTE: '5', TOKENTRACE_INGEST_MAX_SPANS: '5' });
    server = await startOtlpServer(t);
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('is one budget per project for both doors: 429 with Retry-After on OTLP, RATE_LIMITED on GraphQL', async () => {
    const { ingest, secret } = await t.projectWithKey();
    expect((await server.post(otlpRequest([otlpSpan(), otlpSpan(), otlpSpan()]), { secret })).status).toBe(200);
    const viaGraphql = await ingest.gql(INGEST, { spans: [span(), span()] });
    expect(viaGraphql.data.ingest).toEqual({ accepted: 2, rejected: [] });

    const refused = await server.post(otlpRequest([otlpSpan()]), { secret });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ code: 8, message: expect.stringMatching(/5 spans a minute/) });
    const limited = await ingest.gql(INGEST, { spans: [span()] });
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another project has its own budget.
    const other = await t.projectWithKey();
    expect((await server.post(otlpRequest([otlpSpan()]), { secret: other.secret })).status).toBe(200);
  });
});
