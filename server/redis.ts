import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

// Redis clients for state shared by several server instances (live tail, rate limits). Two
// clients because a connection that has subscribed to a channel may run no other commands.

export interface RedisClients {
  /** Publishes live-tail events and runs every ordinary command (rate limits). */
  publisher: Redis;
  /** Only subscribes: a subscribed connection cannot run other commands. */
  subscriber: Redis;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** host:port of a Redis URL — what may be logged or shown; never the credentials. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Connects both clients or throws an error naming REDIS_URL. An unreachable Redis fails the
 * start rather than leaving live tail and rate limits silently broken until it appears.
 */
export async function createRedisClients(url: string, logger?: Logger): Promise<RedisClients> {
  const address = redisAddress(url);
  const secrets = passwordOf(url);
  const scrub = (text: string) => secrets.reduce((acc, s) => acc.split(s).join('[redacted]'), text);

  // Loaded here, not at start: the embedded default and most single instances never need it.
  const { Redis } = await import('ioredis');
  const connectOne = async (role: 'publisher' | 'subscriber') => {
    const client = new Redis(url, {
      // Connect explicitly below, so a failure can stop the start.
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Without this ioredis sends CLIENT SETINFO before the subscriber is ready; the race
      // with SUBSCRIBE can leave subscriptions hanging.
      disableClientInfo: true,
    });
    // ioredis tells of connection trouble through 'error' events (and keeps reconnecting);
    // remember the first reason for the start error, and log the rest.
    let lastError: Error | undefined;
    let connected = false;
    client.on('error', (err: Error) => {
      lastError = err;
      if (connected) logger?.warn({ redis: address, role, err: scrub(err.message) }, 'redis connection error');
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS * 2);
        }),
      ]);
      connected = true;
      return client;
    } catch (err) {
      client.disconnect();
      const reason = scrub(lastError?.message ?? (err as Error).message);
      throw new Error(`REDIS_URL: cannot connect to Redis at ${address}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  };

  const publisher = await connectOne('publisher');
  let subscriber: Redis;
  try {
    subscriber = await connectOne('subscriber');
  } catch (err) {
    publisher.disconnect();
    throw err;
  }

  return {
    publisher,
    subscriber,
    async close() {
      await Promise.all([publisher, subscriber].map(closeClient));
    },
  };
}

const CLOSE_TIMEOUT_MS = 2_000;

/** QUIT lets pending commands finish; resolves once the connection is gone, or after a bound. */
async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', () => resolve());
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
  });
  try {
    await client.quit();
  } catch {
    // Not connected (or the QUIT failed): drop the connection instead.
    client.disconnect();
  }
  await ended;
  clearTimeout(timer);
}

/** The URL's password, as written and decoded, so a driver's message cannot leak it. */
function passwordOf(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.password, decodeURIComponent(u.password)].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}
