// First: .env, then the start's warm-up (cli-preamble.ts), before any other module is evaluated.
import './cli-preamble';
import cluster from 'node:cluster';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createApp } from './app';
import { runClusterPrimary } from './cluster/primary';
import { planWorkers } from './cluster/worker-count';
import { ConfigError, loadConfig } from './config';
import { createDb } from './db/create-db';
import { migrateToLatest, pendingMigrations } from './db/migrate';
import { abandonEarlyEmbedded } from './db/pglite-warm-up';
import { ensureDashboardBuilt } from './http/dashboard-build';
import { describeMetricsAccess } from './http/metrics-route';
import { createHttpServer } from './http/server';
import { assertTransportAllowed } from './http/tls';
import { createStdoutDestination } from './log-destination';
import { createLogger } from './logger';

// `tsx server/cli.ts start | migrate [--dry-run] | backup | restore | print-schema | keys:rotate | keys:rotate-data | retention:run | verify-audit`

const SHUTDOWN_GRACE_MS = 10_000;
/** How long the last log lines may take to reach stdout before the process exits anyway. */
const LOG_FLUSH_MS = 1_000;
/** Past this, something hangs (a connection, the database): exit regardless, non-zero. */
const SHUTDOWN_DEADLINE_MS = SHUTDOWN_GRACE_MS + 5_000;
/**
 * The price table's patterns compile this long after the server listens: the start's last steps and
 * its first requests (a health check, the dashboard) have the CPU to themselves (PriceBook.warmUpAfter).
 */
const PRICE_WARM_UP_DELAY_MS = 2_000;

async function start(): Promise<void> {
  const config = loadConfig();
  // Before anything opens: production over plain HTTP stops here with the fix in the message.
  assertTransportAllowed(config);
  // Shutdown must never depend on stdout being writable (server/log-destination.ts).
  const logs = createStdoutDestination();
  const logger = createLogger(config.logLevel, logs.stream);
  // On Postgres, a cluster of one worker per core (server/cluster); this process is either
  // the primary, a worker, or the one process of the embedded default.
  const worker = cluster.isWorker;
  if (!worker) {
    // Before the database opens: a fresh clone gets its dashboard built (client/dist) first.
    if (!config.skipDashboardBuild) await ensureDashboardBuilt(logger);
    const plan = planWorkers(config);
    if (plan.workers > 1) {
      await runClusterPrimary({ config, logger, workers: plan.workers, shutdownDeadlineMs: SHUTDOWN_DEADLINE_MS, beforeExit: () => logs.release(LOG_FLUSH_MS).then(() => {}) });
      return;
    }
    if (plan.why && config.workers !== undefined && config.workers > 1) logger.info({ workers: 1 }, plan.why);
  }
  // A worker's primary migrated the database already.
  const app = await createApp(config, { logger, background: true, migrate: !worker });
  const server = createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  app.deps.prices.warmUpAfter(PRICE_WARM_UP_DELAY_MS);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const storage = app.dbHandle.dialect === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres';
  const scheme = config.tls ? 'https' : 'http';
  logger.info(
    { port, host: config.host, storage, tls: config.tls ? 'TLSv1.3' : config.tlsTerminatedByProxy ? 'proxy' : 'none', ...(worker ? { worker: cluster.worker!.id } : {}) },
    'tokentrace listening',
  );
  // The primary prints the one line for the whole cluster.
  if (!worker || cluster.worker!.id === 1) logger.info(describeMetricsAccess(config));
  const base = `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  if (!worker) console.log(`tokentrace is running on ${storage}: dashboard ${base}/ · GraphQL ${base}/graphql`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // close() stops accepting and waits for in-flight requests; idle keep-alive sockets go now.
    server.close(async () => {
      await app.close();
      logger.info('stopped');
      await logs.release(LOG_FLUSH_MS);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function migrate(): Promise<void> {
  const dryRun = process.argv.slice(3).includes('--dry-run');
  const config = loadConfig();
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, purpose: 'npm run migrate' });
  try {
    if (dryRun) {
      const pending = await pendingMigrations(db.db);
      if (pending.length === 0) console.log('database is up to date: no pending migrations');
      else console.log(`${pending.length} pending ${pending.length === 1 ? 'migration' : 'migrations'} (not applied):\n${pending.map((n) => `  ${n}`).join('\n')}`);
      return;
    }
    const applied = await migrateToLatest(db.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

async function printSchemaFile(): Promise<void> {
  const target = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
  const { printTokentraceSchema } = await import('../schema/index');
  await writeFile(target, printTokentraceSchema());
  console.log(`wrote ${target}`);
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'start';
  const commands: Record<string, () => Promise<void>> = {
    start,
    migrate,
    // The other commands load their modules when run: `start` pays for none of them.
    backup: async () => (await import('./commands/backup-embedded')).backupCommand(),
    restore: async () => (await import('./commands/restore-embedded')).restoreCommand(),
    'print-schema': printSchemaFile,
    'keys:rotate': async () => (await import('./commands/rotate-keys')).rotateKeysCommand(),
    'keys:rotate-data': async () => (await import('./commands/rotate-data-keys')).rotateDataKeysCommand(),
    'retention:run': async () => (await import('./commands/run-retention')).runRetentionCommand(),
    'verify-audit': async () => (await import('./commands/verify-audit')).verifyAuditCommand(),
  };
  const run = commands[command];
  if (!run) {
    console.error(`unknown command "${command}"; use one of: ${Object.keys(commands).join(', ')}`);
    process.exit(2);
  }
  await run();
}

main().catch(async (err: unknown) => {
  const command = process.argv[2] ?? 'start';
  if (err instanceof ConfigError) console.error(err.message);
  else if (command === 'start') console.error('tokentrace failed to start:', err instanceof Error ? err.message : err);
  else console.error(`tokentrace ${command}:`, err instanceof Error ? err.message : err);
  // A start that stopped before createDb took the database opened early closes it cleanly.
  await Promise.race([abandonEarlyEmbedded().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
  process.exit(1);
});
