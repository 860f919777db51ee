import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { createDb } from '../db/create-db';
import { migrateToLatest } from '../db/migrate';
import { relaySpanEvents } from './span-event-relay';

// `npm start` on Postgres with more than one worker: this process (the primary) migrates the
// database once, then forks the workers, which share the port (node:cluster hands each new
// connection to the next worker). It serves no request itself. It counts the rate limits
// every worker shares (RateLimiterClusterMaster) and, without REDIS_URL, relays live-tail
// events between workers (span-event-relay.ts). SIGTERM or SIGINT stops every worker the way
// one process stops (in-flight requests finish), then the primary.

/** A worker that dies sooner than this after it started is not restarted: it would only die again (a bad port, a broken database). */
const CRASH_LOOP_MS = 10_000;

export interface ClusterPrimaryOptions {
  config: Config;
  logger: Logger;
  workers: number;
  /** Past this, stopping workers are killed and the primary exits non-zero. */
  shutdownDeadlineMs: number;
  /** Flushes the logs before the process exits. */
  beforeExit: () => Promise<void>;
}

export async function runClusterPrimary({ config, logger, workers, shutdownDeadlineMs, beforeExit }: ClusterPrimaryOptions): Promise<void> {
  // Migrations run here, once, before any worker opens the database: N workers migrating at
  // once would race for kysely's migration lock and log N times.
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, purpose: 'tokentrace cluster primary' });
  try {
    const applied = await migrateToLatest(db.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } finally {
    await db.close();
  }

  // Must exist before the first worker's limiter asks for its budget.
  new RateLimiterClusterMaster();
  const stopRelay = config.redisUrl ? () => {} : relaySpanEvents();

  let stopping = false;
  let exitCode = 0;
  const startedAt = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };

  const finish = async () => {
    stopRelay();
    logger.info('stopped');
    await beforeExit();
    process.exit(exitCode);
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down: stopping the workers');
    const deadline = setTimeout(() => {
      logger.warn('workers did not stop in time; killing them');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      exitCode = 1;
      void finish();
    }, shutdownDeadlineMs);
    deadline.unref();
    const remaining = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (remaining.length === 0) void finish();
    for (const w of remaining) w.process.kill('SIGTERM');
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish();
      return;
    }
    if (lived < CRASH_LOOP_MS) {
      logger.error({ worker: worker.id, code, signal }, 'a worker failed right after it started; stopping the cluster');
      exitCode = 1;
      stop('worker failure');
      return;
    }
    logger.warn({ worker: worker.id, code, signal }, 'a worker exited; starting another');
    fork();
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // Ready when every worker listens: then the one line `npm start` prints.
  const listening = new Promise<{ port: number }>((resolve) => {
    let count = 0;
    const onListening = (_worker: Worker, address: { port: number }) => {
      if (++count < workers) return;
      cluster.off('listening', onListening);
      resolve(address);
    };
    cluster.on('listening', onListening);
  });
  for (let i = 0; i < workers; i++) fork();
  const { port } = await listening;
  logger.info({ workers, port, host: config.host }, 'tokentrace cluster listening');
  const scheme = config.tls ? 'https' : 'http';
  const base = `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  console.log(`tokentrace is running on Postgres with ${workers} workers: dashboard ${base}/ · GraphQL ${base}/graphql`);
}
