import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { printTokentraceSchema } from '../schema/index';
import { createApp } from './app';
import { rotateKeysCommand } from './commands/rotate-keys';
import { verifyAuditCommand } from './commands/verify-audit';
import { ConfigError, loadConfig } from './config';
import { createDb } from './db/create-db';
import { migrateToLatest } from './db/migrate';
import { ensureDashboardBuilt } from './http/dashboard-build';
import { createHttpServer } from './http/server';
import { assertTransportAllowed } from './http/tls';
import { createStdoutDestination } from './log-destination';
import { createLogger } from './logger';

// `tsx server/cli.ts start | migrate | print-schema | keys:rotate | verify-audit`

const SHUTDOWN_GRACE_MS = 10_000;
/** How long the last log lines may take to reach stdout before the process exits anyway. */
const LOG_FLUSH_MS = 1_000;
/** Past this, something hangs (a connection, the database): exit regardless, non-zero. */
const SHUTDOWN_DEADLINE_MS = SHUTDOWN_GRACE_MS + 5_000;

async function start(): Promise<void> {
  const config = loadConfig();
  // Before anything opens: production over plain HTTP stops here with the fix in the message.
  assertTransportAllowed(config);
  // Shutdown must never depend on stdout being writable (server/log-destination.ts).
  const logs = createStdoutDestination();
  const logger = createLogger(config.logLevel, logs.stream);
  // Before the database opens: a fresh clone gets its dashboard built (client/dist) first.
  await ensureDashboardBuilt(logger);
  const app = await createApp(config, { logger });
  const server = createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const storage = app.dbHandle.dialect === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres';
  const scheme = config.tls ? 'https' : 'http';
  logger.info({ port, host: config.host, storage, tls: config.tls ? 'TLSv1.3' : config.tlsTerminatedByProxy ? 'proxy' : 'none' }, 'tokentrace listening');
  const base = `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  console.log(`tokentrace is running on ${storage}: dashboard ${base}/ · GraphQL ${base}/graphql`);

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
  const config = loadConfig();
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(db.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

async function printSchemaFile(): Promise<void> {
  const target = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
  await writeFile(target, printTokentraceSchema());
  console.log(`wrote ${target}`);
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const command = process.argv[2] ?? 'start';
  const commands: Record<string, () => Promise<void>> = { start, migrate, 'print-schema': printSchemaFile, 'keys:rotate': rotateKeysCommand, 'verify-audit': verifyAuditCommand };
  const run = commands[command];
  if (!run) {
    console.error(`unknown command "${command}"; use one of: ${Object.keys(commands).join(', ')}`);
    process.exit(2);
  }
  await run();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('tokentrace failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
