import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisClients, redisAddress } from './redis';
import { firstSpanEvent } from './testing/live-tail';
import { createTestApp, INGEST, span, TestClient, type TestApp } from './testing/test-app';

// REDIS_URL: live tail shared by several instances, and a start that fails loudly when Redis
// is unreachable. The tests that need a Redis server run only with TEST_REDIS_URL.

const redisUrl = process.env.TEST_REDIS_URL;
const SPAN_FIELDS = 'id name model startTime latencyMs timeToFirstTokenMs input';

const expectSpan = (event: any, s: Record<string, unknown>) => {
  expect(event.errors).toBeUndefined();
  expect(event.data.spanIngested).toMatchObject({
    id: s.id,
    name: s.name,
    model: 'gpt-4o-mini',
    startTime: '2026-11-01T10:00:00.000Z',
    // Computed with getTime() on the revived Dates: strings would have failed the field.
    latencyMs: 1250,
    timeToFirstTokenMs: 400,
    input: s.input,
  });
};

describe('unreachable REDIS_URL', () => {
  it('fails the start with an error naming REDIS_URL, host and port, and not the password', async () => {
    const err = await createTestApp({ REDIS_URL: 'redis://:s3cret@127.0.0.1:1' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/REDIS_URL/);
    expect(err?.message).toContain('127.0.0.1:1');
    expect(err?.message).not.toContain('s3cret');
  });

  it('shows only host:port of a URL', () => {
    expect(redisAddress('redis://user:s3cret@cache.internal:6380/2')).toBe('cache.internal:6380');
    expect(redisAddress('redis://cache.internal')).toBe('cache.internal:6379');
  });
});

describe.skipIf(!redisUrl)('redis clients', () => {
  it('connect, answer, and close', async () => {
    const clients = await createRedisClients(redisUrl!);
    expect(await clients.publisher.ping()).toBe('PONG');
    await clients.close();
    expect(clients.publisher.status).toBe('end');
    expect(clients.subscriber.status).toBe('end');
  });
});

describe.skipIf(!redisUrl)('live tail through Redis, one instance', () => {
  let t: TestApp;
  const logLines: string[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    t = await createTestApp({ REDIS_URL: redisUrl! }, { logger });
  });
  afterAll(() => t?.close());

  it('logs that live tail and rate limits go through Redis, with host:port only', () => {
    const line = logLines.find((l) => l.includes('shared through Redis'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).redis).toBe(redisAddress(redisUrl!));
    expect(line).not.toContain('redis://');
  });

  it('delivers a span with working Date fields after the round trip through Redis', async () => {
    const { owner, projectId, ingest } = await t.projectWithKey();
    const s = span({ name: `redis-one-${randomBytes(3).toString('hex')}`, completionStartTime: '2026-11-01T10:00:00.400Z' });
    const event = await firstSpanEvent(t, owner, projectId, SPAN_FIELDS, () => ingest.gql(INGEST, { spans: [s] }));
    expectSpan(event, s);
  });
});

// Two instances share one database only on Postgres (each PGlite test app is its own memory).
describe.skipIf(!redisUrl || !inject('testDatabaseUrl'))('live tail across instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ REDIS_URL: redisUrl! });
    b = await createTestApp({ REDIS_URL: redisUrl! });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('streams a span ingested on instance A to a subscriber on instance B', async () => {
    const { owner, projectId, ingest } = await a.projectWithKey();
    // The same session, presented to the other instance.
    const onB = new TestClient(b.app);
    onB.cookie = owner.cookie;
    const s = span({ name: `cross-${randomBytes(3).toString('hex')}`, completionStartTime: '2026-11-01T10:00:00.400Z' });
    const event = await firstSpanEvent(b, onB, projectId, SPAN_FIELDS, () => ingest.gql(INGEST, { spans: [s] }));
    expectSpan(event, s);
  });
});
