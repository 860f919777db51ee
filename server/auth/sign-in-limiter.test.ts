import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClients, type RedisClients } from '../redis';
import { createSignInLimiter, type SignInLimiter } from './sign-in-limiter';

// With Redis, the failure budgets are one budget for every instance: guesses spread over
// several instances behind a load balancer still hit the limit.

const redisUrl = process.env.TEST_REDIS_URL;
const LIMITS = { perEmail: 2, perIp: 100, windowSeconds: 60 };

const codeOf = (p: Promise<unknown>) => p.then(
  () => 'allowed',
  (err: { code?: string }) => err.code ?? String(err),
);

describe('sign-in limiter in memory', () => {
  it('limits an e-mail after its failures; instances do not share counts', async () => {
    const a = createSignInLimiter(LIMITS);
    const b = createSignInLimiter(LIMITS);
    await a.beginAttempt('m@example.com', '10.0.0.1');
    await a.beginAttempt('m@example.com', '10.0.0.1');
    expect(await codeOf(a.beginAttempt('m@example.com', '10.0.0.1'))).toBe('RATE_LIMITED');
    expect(await codeOf(b.beginAttempt('m@example.com', '10.0.0.1'))).toBe('allowed');
  });
});

describe.skipIf(!redisUrl)('sign-in limiter shared through Redis', () => {
  // Two connections, as two instances would have; a fresh key prefix so reruns start clean.
  let ra: RedisClients;
  let rb: RedisClients;
  let a: SignInLimiter;
  let b: SignInLimiter;
  beforeAll(async () => {
    ra = await createRedisClients(redisUrl!);
    rb = await createRedisClients(redisUrl!);
    const keyPrefix = `tokentrace-test-${randomBytes(4).toString('hex')}:`;
    a = createSignInLimiter(LIMITS, { redis: ra.publisher, keyPrefix });
    b = createSignInLimiter(LIMITS, { redis: rb.publisher, keyPrefix });
  });
  afterAll(async () => {
    await ra?.close();
    await rb?.close();
  });

  it('failures counted on instance A limit instance B', async () => {
    const email = `victim-${randomBytes(3).toString('hex')}@example.com`;
    await a.beginAttempt(email, '10.0.0.1');
    await a.beginAttempt(email, '10.0.0.2');
    const err = await b.beginAttempt(email, '10.0.0.3').catch((e: { code?: string; extensions?: unknown }) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('a success on instance B clears the count made on instance A', async () => {
    const email = `user-${randomBytes(3).toString('hex')}@example.com`;
    await a.beginAttempt(email, '10.0.0.1');
    await b.beginAttempt(email, '10.0.0.1');
    await b.recordSuccess(email, '10.0.0.1');
    expect(await codeOf(a.beginAttempt(email, '10.0.0.1'))).toBe('allowed');
  });
});
