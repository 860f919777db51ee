import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokentracePlugin } from '../../../plugins/core/plugin';
import { useEncryption } from '../../../plugins/encryption/plugin';
import { useRedaction } from '../../../plugins/redaction/index';
import type { SpanModel } from '../models';
import { decodeContent } from '../../storage/content';
import { createTestApp, INGEST, span, type GraphQLResponse, type TestApp, type TestClient } from '../../testing/test-app';

// Redaction at ingest through the real API and database: what reaches the tables (read raw and
// decoded through the app's codec), what the API reports in Span.redactions, and fail-closed
// rejection of a span whose redaction throws or overruns its budget.

const SETTINGS = `mutation($p: ID!, $input: ProjectSettingsInput!) {
  updateProjectSettings(projectId: $p, input: $input) { id }
}`;
const TRACE = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { metadata spans { id input output metadata redactions { rule count } } } }
}`;

function ok(res: GraphQLResponse): GraphQLResponse {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res;
}

// Secrets are assembled at run time, so this file holds nothing a secret scanner would flag.
const BASE62 = 'Zq7Lw2Xr9Kp4Mv1Nt8Bs3Hd6Fj0Gc5Ya';
const token = (n: number): string => BASE62.repeat(Math.ceil(n / BASE62.length)).slice(0, n);
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const PII = {
  email: 'ann.lee+support@example.co.uk', email2: 'bob@corp.example.com',
  phoneIntl: '+44 20 7946 0958', phoneUs: '(415) 555-2671',
  card: '4111 1111 1111 1111', cardDashes: '5500-0000-0000-0004',
  openAiKey: `sk-${token(48)}`, awsKeyId: `AKIA${token(16).toUpperCase()}`,
  jwt: [b64url({ alg: 'HS256', typ: 'JWT' }), b64url({ sub: '42' }), token(43)].join('.'),
};
const LOOK_ALIKES = {
  date: '2026-11-29', time: '12:30:45', uuid: '550e8400-e29b-41d4-a716-446655440000', ip: '192.168.100.200',
  price: '$1,234.56', order: 'ORD-2024-000123', version: 'v10.0.19045', isbn: '978-3-16-148410-0',
};

/** A span carrying every kind of PII in input, output, metadata and trace metadata. */
function piiSpan(traceId: string, ingestSecret: string) {
  return span({
    traceId,
    input: {
      messages: [
        { role: 'system', content: `Order ${LOOK_ALIKES.order} of ${LOOK_ALIKES.date} ${LOOK_ALIKES.time}, ${LOOK_ALIKES.price}.` },
        { role: 'user', content: `I'm Ann (${PII.email}, ${PII.phoneIntl}); card ${PII.card}. Key ${PII.openAiKey}` },
      ],
    },
    output: `Call ${PII.phoneUs} or write to ${PII.email2}. Host ${LOOK_ALIKES.ip}, build ${LOOK_ALIKES.version}.`,
    metadata: {
      session: { jwt: PII.jwt, request: LOOK_ALIKES.uuid },
      aws: [PII.awsKeyId],
      pan: 4111111111111111,
      ingestKey: ingestSecret,
      book: LOOK_ALIKES.isbn,
    },
    trace: { name: 'support', metadata: { billing: PII.cardDashes, contact: PII.email, ticket: LOOK_ALIKES.uuid } },
  });
}

describe('redaction at ingest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** Everything stored for a project, as text: decoded content, span and trace metadata. */
  async function storedText(projectId: string): Promise<string> {
    const spans = await sql<{ id: string; input: Uint8Array | null; output: Uint8Array | null; metadata: string | null; redactions: string; status_message: string | null }>`
      select id, input, output, metadata::text as metadata, redactions::text as redactions, status_message from spans where project_id = ${projectId}`.execute(t.app.deps.db);
    const traces = await sql<{ metadata: string | null; name: string | null }>`
      select name, metadata::text as metadata from traces where project_id = ${projectId}`.execute(t.app.deps.db);
    const parts: string[] = [];
    const keys = await t.app.deps.projectKeys.forProject(projectId);
    for (const row of spans.rows) {
      for (const column of ['input', 'output'] as const) {
        const ctx = { projectId, table: 'spans', rowId: row.id, column, keys };
        parts.push(JSON.stringify(decodeContent(t.app.deps.codec, row[column], ctx)));
        // And the raw bytes as they sit in the table, whatever the codec.
        if (row[column]) parts.push(Buffer.from(row[column]).toString('latin1'));
      }
      parts.push(row.metadata ?? '', row.redactions, row.status_message ?? '');
    }
    for (const row of traces.rows) parts.push(row.name ?? '', row.metadata ?? '');
    return parts.join('\n');
  }

  const digitsOf = (s: string) => s.replace(/\D/g, '');

  it('with piiRedaction on, e-mails, phones, cards and secrets never reach the database, look-alikes survive, and Span.redactions counts per rule', async () => {
    const { owner, projectId, ingest, secret } = await t.projectWithKey();
    ok(await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true } }));
    const s = piiSpan('trace-pii', secret);
    const res = ok(await ingest.gql(INGEST, { spans: [s] }));
    expect(res.data.ingest).toEqual({ accepted: 1, rejected: [] });

    const stored = await storedText(projectId);
    for (const [kind, value] of Object.entries({ ...PII, ingestSecret: secret })) {
      expect(stored, kind).not.toContain(value);
    }
    for (const card of [PII.card, PII.cardDashes]) expect(stored).not.toContain(digitsOf(card));
    expect(stored).not.toContain('7946');
    for (const [kind, value] of Object.entries(LOOK_ALIKES)) expect(stored, kind).toContain(value);

    const trace = ok(await owner.gql(TRACE, { p: projectId, id: 'trace-pii' })).data.project.trace;
    const [stored0] = trace.spans;
    expect(stored0.input.messages[1].content).toBe("I'm Ann ([REDACTED:email], [REDACTED:phone]); card [REDACTED:card]. Key [REDACTED:secret]");
    expect(stored0.output).toBe(`Call [REDACTED:phone] or write to [REDACTED:email]. Host ${LOOK_ALIKES.ip}, build ${LOOK_ALIKES.version}.`);
    expect(stored0.metadata).toEqual({
      session: { jwt: '[REDACTED:secret]', request: LOOK_ALIKES.uuid },
      aws: ['[REDACTED:secret]'],
      pan: '[REDACTED:card]',
      ingestKey: '[REDACTED:secret]',
      book: LOOK_ALIKES.isbn,
    });
    expect(trace.metadata).toEqual({ billing: '[REDACTED:card]', contact: '[REDACTED:email]', ticket: LOOK_ALIKES.uuid });
    // Built-in rule order; each summed over input, output, metadata and trace metadata.
    expect(stored0.redactions).toEqual([
      { rule: 'secret', count: 4 },
      { rule: 'email', count: 3 },
      { rule: 'card', count: 3 },
      { rule: 'phone', count: 2 },
    ]);
  });

  it('redacts an error span\'s statusMessage and counts its hits with the rest of the span', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    ok(await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true } }));
    const failed = span({
      traceId: 'trace-error',
      input: null,
      output: null,
      status: 'ERROR',
      statusMessage: `No account for ${PII.email} (call ${PII.phoneUs}); order ${LOOK_ALIKES.order}`,
    });
    ok(await ingest.gql(INGEST, { spans: [failed] }));
    const stored = await storedText(projectId);
    expect(stored).not.toContain(PII.email);
    expect(stored).not.toContain(PII.phoneUs);
    const read = ok(await owner.gql(
      `query($p: ID!) { project(id: $p) { trace(id: "trace-error") { spans { status statusMessage redactions { rule count } } } } }`,
      { p: projectId },
    ));
    expect(read.data.project.trace.spans).toEqual([
      {
        status: 'ERROR',
        statusMessage: `No account for [REDACTED:email] (call [REDACTED:phone]); order ${LOOK_ALIKES.order}`,
        redactions: [{ rule: 'email', count: 1 }, { rule: 'phone', count: 1 }],
      },
    ]);
  });

  it('with piiRedaction off (the default), content is stored as sent and nothing is reported', async () => {
    const { owner, projectId, ingest, secret } = await t.projectWithKey();
    const s = piiSpan('trace-plain', secret);
    ok(await ingest.gql(INGEST, { spans: [s] }));
    const trace = ok(await owner.gql(TRACE, { p: projectId, id: 'trace-plain' })).data.project.trace;
    expect(trace.spans[0]).toMatchObject({ input: s.input, output: s.output, metadata: s.metadata, redactions: [] });
    expect(trace.metadata).toEqual((s.trace as { metadata: unknown }).metadata);
    expect(await storedText(projectId)).toContain(PII.email);
  });

  it('custom patterns from updateProjectSettings redact whatever piiRedaction says, and a changed list applies to the next batch', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    const patterns = [{ name: 'employee-id', pattern: 'EMP-\\d{5}' }];
    ok(await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: patterns } }));
    const first = span({ traceId: 'trace-custom', input: 'EMP-12345 asked EMP-54321 about TKT-777', metadata: { by: 'EMP-12345' } });
    ok(await ingest.gql(INGEST, { spans: [first] }));

    ok(await owner.gql(SETTINGS, { p: projectId, input: { customPatterns: [...patterns, { name: 'ticket', pattern: 'TKT-\\d+' }] } }));
    const second = span({ traceId: 'trace-custom', input: 'EMP-12345 asked about TKT-777' });
    ok(await ingest.gql(INGEST, { spans: [second] }));

    const spans = ok(await owner.gql(TRACE, { p: projectId, id: 'trace-custom' })).data.project.trace.spans as Record<string, any>[];
    const byId = new Map(spans.map((s) => [s.id, s]));
    expect(byId.get(first.id as string)).toMatchObject({
      input: '[REDACTED:employee-id] asked [REDACTED:employee-id] about TKT-777',
      metadata: { by: '[REDACTED:employee-id]' },
      redactions: [{ rule: 'employee-id', count: 3 }],
    });
    expect(byId.get(second.id as string)).toMatchObject({
      input: '[REDACTED:employee-id] asked about [REDACTED:ticket]',
      redactions: [
        { rule: 'employee-id', count: 1 },
        { rule: 'ticket', count: 1 },
      ],
    });
  });

  it('a stored custom pattern that cannot be compiled rejects every span, naming the pattern', async () => {
    const { projectId, ingest } = await t.projectWithKey();
    // Saved behind the API's back (the API refuses it): the ingest path must still fail closed.
    await sql`update projects set settings = jsonb_set(settings, '{customPatterns}', ${JSON.stringify([{ name: 'evil', pattern: '\\d{1,50000}X' }])}::jsonb)
              where id = ${projectId}`.execute(t.app.deps.db);
    const res = ok(await ingest.gql(INGEST, { spans: [span({ input: 'aaaa' }), span()] }));
    expect(res.data.ingest.accepted).toBe(0);
    expect(res.data.ingest.rejected).toEqual([
      { index: 0, id: expect.any(String), reason: expect.stringMatching(/Pattern for "evil".*project settings/) },
      { index: 1, id: expect.any(String), reason: expect.stringMatching(/Pattern for "evil"/) },
    ]);
    expect(await storedText(projectId)).toBe('');
  });

  it('redactInputs still drops the input entirely; the output is still redacted', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    ok(await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true, redactInputs: true } }));
    ok(await ingest.gql(INGEST, { spans: [span({ traceId: 'trace-drop', input: `mail ${PII.email}`, output: `mail ${PII.email2}` })] }));
    const [s] = ok(await owner.gql(TRACE, { p: projectId, id: 'trace-drop' })).data.project.trace.spans;
    // Dropped content is not counted: only what is stored was redacted.
    expect(s).toMatchObject({ input: null, output: 'mail [REDACTED:email]', redactions: [{ rule: 'email', count: 1 }] });
    const [row] = await t.app.deps.db.selectFrom('spans').select(['input']).where('project_id', '=', projectId).execute();
    expect(row!.input).toBeNull();
  });

  it('the live-tail event carries the redacted content', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    ok(await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true } }));
    const events = t.app.deps.pubsub.subscribe(projectId);
    const next = events.next();
    ok(await ingest.gql(INGEST, { spans: [span({ input: `to ${PII.email}`, metadata: { phone: PII.phoneUs } })] }));
    const event = (await next).value as SpanModel;
    await events.return?.();
    expect(event.content).toMatchObject({ input: 'to [REDACTED:email]' });
    expect(event.metadata).toEqual({ phone: '[REDACTED:phone]' });
    expect(event.redactions).toEqual([
      { rule: 'email', count: 1 },
      { rule: 'phone', count: 1 },
    ]);
  });
});

/** Busy-waits: a redactor is synchronous, so a slow one blocks like this. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* spin */
  }
}

const flaky: TokentracePlugin = {
  name: 'flaky',
  redactors: [
    {
      name: 'boom',
      redact(text) {
        // The message quotes the content, as a careless redactor's would: it must not leak.
        if (text.includes('explode')) throw new Error(`cannot handle ${text}`);
        return { text, hits: 0 };
      },
    },
    {
      name: 'sloth',
      redact(text) {
        if (text.includes('take-your-time')) spin(250);
        return { text, hits: 0 };
      },
    },
    {
      name: 'liar',
      redact: (text) => (text.includes('lie-about-it') ? ({ text, hits: -1 } as never) : { text, hits: 0 }),
    },
  ],
};

describe('redaction fails closed', () => {
  let t: TestApp;
  let ingest: TestClient;
  let owner: TestClient;
  let projectId: string;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_REDACTION_BUDGET_MS: '100' }, { plugins: [useRedaction(), flaky, useEncryption()] });
    ({ ingest, owner, projectId } = await t.projectWithKey());
    ok(await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true } }));
    // Warm up: a regex's first run compiles it; keep that out of the budgeted runs.
    ok(await ingest.gql(INGEST, { spans: [span({ id: 'warm-up', traceId: 'warm-up', input: `hi ${PII.email}` })] }));
  });
  afterAll(() => t.close());

  const storedIds = async () =>
    (await t.app.deps.db.selectFrom('spans').select('id').where('project_id', '=', projectId).orderBy('id').execute()).map((r) => r.id);
  const storedTraceIds = async () =>
    (await t.app.deps.db.selectFrom('traces').select('id').where('project_id', '=', projectId).orderBy('id').execute()).map((r) => r.id);

  it.each([
    ['throws', 'explode', /^Redaction failed: rule "boom" \(plugin "flaky"\) failed; the span was not stored\.$/],
    ['returns an invalid result', 'lie-about-it', /^Redaction failed: rule "liar" \(plugin "flaky"\) returned an invalid result/],
    ['overruns the time budget', 'take-your-time', /^Redaction took longer than its 100 ms budget \(rule "sloth" of plugin "flaky" was running\)/],
  ])('a redactor that %s rejects that span only, by index, with a reason naming the rule and not the content', async (_label, trigger, reason) => {
    const tag = trigger.replace(/\W/g, '');
    const good1 = span({ id: `${tag}-good-1`, traceId: `${tag}-trace-good` });
    const bad = span({
      id: `${tag}-bad`,
      traceId: `${tag}-trace-bad`,
      input: 'fine',
      output: { nested: [`write to victim@example.com then ${trigger}`] },
      trace: { name: `${tag}-bad-trace`, metadata: { owner: 'victim' } },
    });
    const good2 = span({ id: `${tag}-good-2`, traceId: `${tag}-trace-good`, input: `mail ${PII.email}` });
    const res = ok(await ingest.gql(INGEST, { spans: [good1, bad, good2] }));
    expect(res.data.ingest.accepted).toBe(2);
    expect(res.data.ingest.rejected).toEqual([{ index: 1, id: `${tag}-bad`, reason: expect.stringMatching(reason) }]);
    expect(res.data.ingest.rejected[0].reason).not.toMatch(/victim|cannot handle/);

    const ids = await storedIds();
    expect(ids).toEqual(expect.arrayContaining([`${tag}-good-1`, `${tag}-good-2`]));
    expect(ids).not.toContain(`${tag}-bad`);
    expect(await storedTraceIds()).not.toContain(`${tag}-trace-bad`);
    const trace = ok(await owner.gql(TRACE, { p: projectId, id: `${tag}-trace-good` })).data.project.trace;
    expect(trace.spans.find((s: { id: string }) => s.id === `${tag}-good-2`)).toMatchObject({
      input: 'mail [REDACTED:email]',
      redactions: [{ rule: 'email', count: 1 }],
    });
  });

  it('rejects every copy of a span when one copy in the batch makes redaction fail', async () => {
    const first = span({ id: 'copied', traceId: 'trace-copies', input: 'fine' });
    const second = span({ id: 'copied', traceId: 'trace-copies', output: 'explode' });
    const res = ok(await ingest.gql(INGEST, { spans: [first, span({ id: 'bystander', traceId: 'trace-copies' }), second] }));
    expect(res.data.ingest).toEqual({
      accepted: 1,
      rejected: [
        { index: 0, id: 'copied', reason: expect.stringMatching(/rule "boom"/) },
        { index: 2, id: 'copied', reason: expect.stringMatching(/rule "boom"/) },
      ],
    });
    expect(await storedIds()).not.toContain('copied');
  });

  it('logs the rejection with the rule and span id, without the error message', async () => {
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const logged = await createTestApp({}, { logger, plugins: [flaky] });
    try {
      const p = await logged.projectWithKey();
      ok(await p.ingest.gql(INGEST, { spans: [span({ id: 'logged-bad', input: 'explode victim@example.com' })] }));
    } finally {
      await logged.close();
    }
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'span rejected: redaction failed');
    expect(entry).toMatchObject({ spanId: 'logged-bad', rule: 'boom', source: 'plugin "flaky"', error: 'Error' });
    expect(lines.join('\n')).not.toMatch(/victim|cannot handle/);
  });
});

describe('a request\'s redaction time in all', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(
      { TOKENTRACE_REDACTION_BUDGET_MS: '1000', TOKENTRACE_REDACTION_BATCH_BUDGET_MS: '400' },
      { plugins: [useRedaction(), flaky, useEncryption()] },
    );
  });
  afterAll(() => t.close());

  it('is capped: spans whose turn comes after the batch budget are rejected by index, the earlier ones stored', async () => {
    const { ingest, projectId } = await t.projectWithKey();
    // Each slow span takes ~250 ms: two fit in 400 ms (the second starts at ~250), the rest do not.
    const spans = [0, 1, 2, 3].map((i) => span({ id: `slow-${i}`, traceId: 'slow', output: 'take-your-time' }));
    const res = ok(await ingest.gql(INGEST, { spans }));
    expect(res.data.ingest.accepted).toBe(2);
    expect(res.data.ingest.rejected.map((r: { index: number }) => r.index)).toEqual([2, 3]);
    expect(res.data.ingest.rejected[0].reason).toMatch(/^Redaction of this request took longer than its 400 ms budget/);
    const stored = await t.app.deps.db.selectFrom('spans').select('id').where('project_id', '=', projectId).orderBy('id').execute();
    expect(stored.map((r) => r.id)).toEqual(['slow-0', 'slow-1']);
  });
});

describe('redactors that say they do not apply', () => {
  const calls: string[] = [];
  const counting = (name: string, appliesTo?: (p: { projectId: string; piiRedaction: boolean }) => boolean) => ({
    name,
    ...(appliesTo ? { appliesTo } : {}),
    redact(text: string) {
      calls.push(name);
      return { text: text.replaceAll('secret-word', `[REDACTED:${name}]`), hits: text.includes('secret-word') ? 1 : 0 };
    },
  });
  const plugin: TokentracePlugin = {
    name: 'selective',
    redactors: [
      counting('only-with-pii', (p) => p.piiRedaction),
      counting('never', () => false),
      counting('cannot-answer', () => {
        throw new Error('no idea');
      }),
    ],
  };
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { plugins: [plugin] });
  });
  afterAll(() => t.close());

  it('are not called; one whose appliesTo throws still runs (fail closed)', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    calls.length = 0;
    ok(await ingest.gql(INGEST, { spans: [span({ traceId: 'sel-1', input: 'the secret-word' })] }));
    expect(new Set(calls)).toEqual(new Set(['cannot-answer']));
    let read = ok(await owner.gql(TRACE, { p: projectId, id: 'sel-1' }));
    expect(read.data.project.trace.spans[0].input).toBe('the [REDACTED:cannot-answer]');

    ok(await owner.gql(SETTINGS, { p: projectId, input: { piiRedaction: true } }));
    calls.length = 0;
    ok(await ingest.gql(INGEST, { spans: [span({ traceId: 'sel-2', input: 'the secret-word' })] }));
    expect(new Set(calls)).toEqual(new Set(['only-with-pii', 'cannot-answer']));
    read = ok(await owner.gql(TRACE, { p: projectId, id: 'sel-2' }));
    expect(read.data.project.trace.spans[0]).toMatchObject({ input: 'the [REDACTED:only-with-pii]', redactions: [{ rule: 'only-with-pii', count: 1 }] });
  });
});
