import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createTestApp, type TestApp } from '../testing/test-app';

// Sessions slide with use (the idle timeout) but end at their absolute lifetime, counted from
// sign-in, however often they are used. Time is moved by ageing the session row, as the clock
// would have: the server compares the row's created_at and last_seen_at with now.

const DAY = 24 * 3600 * 1000;
const SESSIONS = '{ viewer { id sessions { current expiresAt } } }';

describe('session lifetime', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TOKENTRACE_SESSION_IDLE_DAYS: '14', TOKENTRACE_SESSION_MAX_DAYS: '30' });
  });
  afterAll(() => t.close());

  /** Moves a user's sessions back in time: signed in `createdDaysAgo`, last used `seenMinutesAgo`. */
  async function age(userId: string, createdDaysAgo: number, seenMinutesAgo: number): Promise<void> {
    await t.app.deps.db
      .updateTable('sessions')
      .set({
        created_at: sql`now() - make_interval(secs => ${createdDaysAgo * 86_400})`,
        last_seen_at: sql`now() - make_interval(secs => ${seenMinutesAgo * 60})`,
        expires_at: sql`now() + interval '13 days'`,
      })
      .where('user_id', '=', userId)
      .execute();
  }

  it('caps the sliding expiry at the lifetime, and ends a session in use once it is reached', async () => {
    const { client, userId } = await t.signUp();
    // 29 days after sign-in, used 10 minutes ago: still in, and the refreshed cookie and the
    // session's expiry stop at day 30, not 14 days from now.
    await age(userId, 29, 10);
    const before = Date.now();
    const res = await client.gql(SESSIONS);
    expect(res.data.viewer.id).toBe(userId);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tt_session='));
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie ?? '')?.[1]);
    expect(maxAge * 1000).toBeLessThanOrEqual(DAY + 5_000);
    expect(maxAge * 1000).toBeGreaterThan(DAY - 60_000);
    const expiresAt = Date.parse(res.data.viewer.sessions[0].expiresAt);
    expect(expiresAt - before).toBeLessThanOrEqual(DAY + 5_000);

    // 30 days and a minute after sign-in, used a minute ago (well within the idle timeout): out.
    await age(userId, 30 + 1 / 1440, 1);
    expect((await client.gql(SESSIONS)).data.viewer).toBeNull();
  });

  it('lets the idle timeout end an unused session first, as before', async () => {
    const { client, userId } = await t.signUp();
    await t.app.deps.db
      .updateTable('sessions')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where('user_id', '=', userId)
      .execute();
    expect((await client.gql(SESSIONS)).data.viewer).toBeNull();
  });

  it('is a validated setting, 30 days by default', () => {
    expect(loadConfig({}).sessionMaxAgeMs).toBe(30 * DAY);
    expect(loadConfig({ TOKENTRACE_SESSION_MAX_DAYS: '7' }).sessionMaxAgeMs).toBe(7 * DAY);
    expect(() => loadConfig({ TOKENTRACE_SESSION_MAX_DAYS: '-1' })).toThrow(/TOKENTRACE_SESSION_MAX_DAYS/);
  });
});
