import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../http/server';
import { INGEST, span, createTestApp, type TestApp } from '../testing/test-app';
import { rejectionReasonCode } from './record-ingest-outcome';

// GET /metrics on a real socket (loopback, no token): what an operator's Prometheus reads.

let t: TestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  server = createHttpServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series, e.g. value(text, 'tokentrace_spans_accepted_total{door="graphql"}'); 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function post(body: unknown, bearer?: string): Promise<any> {
  const text = JSON.stringify(body);
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: text,
  });
  return res.json();
}

describe('GET /metrics', () => {
  it('counts spans accepted and rejected by reason code, ingest requests by outcome, and times the redact stage', async () => {
    const { secret } = await t.projectWithKey();
    const before = await scrape();
    const spans = [
      span({ id: 'metrics-ok-1' }),
      span({ id: 'metrics-ok-2' }),
      span({ id: 'has a space' }),
      span({ id: 'metrics-late', startTime: '2026-11-01T10:00:00.000Z', endTime: '2026-11-01T09:00:00.000Z' }),
      span({ id: 'metrics-empty-name', name: ' ' }),
    ];
    const result = await post({ query: INGEST, variables: { spans } }, secret);
    expect(result.data.ingest.accepted).toBe(2);
    await post({ query: INGEST, variables: { spans: [span({ id: 'metrics-ok-3' })] } }, secret);
    await post({ query: INGEST, variables: { spans: [span({ id: 'bad id' })] } }, secret);

    const after = await scrape();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('tokentrace_spans_accepted_total{door="graphql"}')).toBe(3);
    expect(delta('tokentrace_spans_rejected_total{door="graphql",reason="invalid_id"}')).toBe(2);
    expect(delta('tokentrace_spans_rejected_total{door="graphql",reason="invalid_time"}')).toBe(1);
    expect(delta('tokentrace_spans_rejected_total{door="graphql",reason="invalid_field"}')).toBe(1);
    expect(delta('tokentrace_ingest_requests_total{door="graphql",outcome="partial"}')).toBe(1);
    expect(delta('tokentrace_ingest_requests_total{door="graphql",outcome="stored"}')).toBe(1);
    expect(delta('tokentrace_ingest_requests_total{door="graphql",outcome="rejected"}')).toBe(1);
    // The all-invalid request never reaches the redact stage.
    expect(delta('tokentrace_redaction_duration_seconds_count')).toBe(2);
    expect(value(after, 'tokentrace_redaction_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('counts an ingest request that fails as a whole', async () => {
    const { secret } = await t.projectWithKey();
    const before = await scrape();
    const tooMany = Array.from({ length: 1001 }, (_, i) => span({ id: `m-${i}` }));
    const res = await post({ query: INGEST, variables: { spans: tooMany } }, secret);
    expect(res.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const after = await scrape();
    expect(value(after, 'tokentrace_ingest_requests_total{door="graphql",outcome="failed"}') - value(before, 'tokentrace_ingest_requests_total{door="graphql",outcome="failed"}')).toBe(1);
  });

  it('times requests by operation type only', async () => {
    const before = await scrape();
    await post({ query: 'query Mine { viewer { id } }' });
    await post({ query: 'mutation { signOut }' });
    await post({ query: '{ nope }' });
    const after = await scrape();
    const count = (op: string) =>
      value(after, `tokentrace_graphql_request_duration_seconds_count{operation="${op}"}`) -
      value(before, `tokentrace_graphql_request_duration_seconds_count{operation="${op}"}`);
    expect(count('query')).toBe(1);
    expect(count('mutation')).toBe(1);
    expect(count('none')).toBe(1);
    expect(after).not.toContain('Mine');
  });

  it('carries no user data in any label', async () => {
    const { secret, projectId } = await t.projectWithKey();
    const marker = 'customer-7f3a-secret';
    await post(
      {
        query: INGEST,
        variables: { spans: [span({ id: marker, name: marker, traceId: marker, model: marker }), span({ id: `${marker} bad`, name: marker })] },
        operationName: null,
      },
      secret,
    );
    const text = await scrape();
    for (const leaked of [marker, projectId, secret.slice(0, 12)]) expect(text).not.toContain(leaked);
    const labelValues = [...text.matchAll(/(\w+)="([^"]*)"/g)].filter(([, name]) => ['door', 'reason', 'outcome', 'operation'].includes(name!));
    const allowed = /^(graphql|otlp|invalid_id|invalid_time|invalid_field|redaction_failed|redaction_timeout|other|stored|partial|rejected|failed|query|mutation|subscription|none)$/;
    expect(labelValues.length).toBeGreaterThan(0);
    for (const [, , v] of labelValues) expect(v).toMatch(allowed);
  });

  it('reports live-tail subscribers while a stream is open', async () => {
    const { owner, projectId } = await t.projectWithKey();
    const baseline = value(await scrape(), 'tokentrace_live_tail_subscribers');
    const controller = new AbortController();
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', cookie: owner.cookie! },
      body: JSON.stringify({ query: 'subscription($p: ID!) { spanIngested(projectId: $p) { id } }', variables: { p: projectId } }),
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => value(await scrape(), 'tokentrace_live_tail_subscribers'), { timeout: 5_000 }).toBe(baseline + 1);
    controller.abort();
    await expect.poll(async () => value(await scrape(), 'tokentrace_live_tail_subscribers'), { timeout: 5_000 }).toBe(baseline);
  });

  it('reports the database pool, event-loop lag and process memory', async () => {
    const text = await scrape();
    expect(value(text, 'tokentrace_db_pool_size')).toBe(t.app.dbHandle.dialect === 'pglite' ? 1 : 10);
    expect(text).toMatch(/^tokentrace_db_pool_in_use \d+$/m);
    expect(text).toMatch(/^tokentrace_db_pool_waiting \d+$/m);
    expect(value(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(value(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('sees queries waiting for the connection while the pool is busy', async () => {
    // Hold every connection in transactions that wait on a latch; one more query must queue.
    const size = t.app.dbHandle.poolStats().size;
    let release!: () => void;
    const latch = new Promise<void>((r) => (release = r));
    const holders = Array.from({ length: size }, () => t.app.deps.db.transaction().execute(() => latch));
    const queued = t.app.deps.db.selectFrom('users').select('id').limit(1).execute();
    await expect.poll(() => t.app.dbHandle.poolStats(), { timeout: 5_000 }).toMatchObject({ inUse: size, waiting: 1 });
    const text = await scrape(); // needs no connection itself
    release();
    await Promise.all([...holders, queued]);
    expect(value(text, 'tokentrace_db_pool_in_use')).toBe(size);
    expect(value(text, 'tokentrace_db_pool_waiting')).toBe(1);
    expect(t.app.dbHandle.poolStats()).toMatchObject({ inUse: 0, waiting: 0 });
  });
});

describe('rejection reason codes', () => {
  it('maps redaction failures and budgets, and anything unknown to "other"', () => {
    expect(rejectionReasonCode('Redaction failed: rule "x" (plugin "y") failed; the span was not stored.')).toBe('redaction_failed');
    expect(rejectionReasonCode('Redaction took longer than its 200 ms budget; the span was not stored.')).toBe('redaction_timeout');
    expect(rejectionReasonCode('Redaction of this request took longer than its 2000 ms budget before this span\'s turn')).toBe('redaction_timeout');
    expect(rejectionReasonCode('something new')).toBe('other');
  });
});
