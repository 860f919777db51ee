import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { PluginEntry } from '../plugins/core/index';
import { createSignInLimiter } from './auth/sign-in-limiter';
import { createClusterSpanEventTarget } from './cluster/span-event-relay';
import type { Config } from './config';
import type { AppDeps } from './context';
import { createDb, type DbHandle } from './db/create-db';
import { migrateToLatest } from './db/migrate';
import { createTokentraceYoga, loadFetchApi, type TokentraceYoga } from './http/yoga';
import { createLogger } from './logger';
import { createMetrics } from './metrics/metrics';
import { useRequestMetrics } from './metrics/use-request-metrics';
import { loadPlugins } from './plugins/load-plugins';
import { createPriceBook } from './prices/price-book';
import { createRedisClients, redisAddress, type RedisClients } from './redis';
import { createIngestRateLimiter } from './services/ingest/ingest-rate-limiter';
import { createAccessLogWriter } from './services/access-log/access-log-writer';
import { pruneAccessLog } from './services/access-log/prune-access-log';
import { createMaintenance, type Maintenance } from './services/background/maintenance';
import { createUsageCompactor } from './services/usage-compactor';
import { keyLegacyAuditChains } from './services/audit-chain-keying';
import { loadAuditKeyRing } from './services/audit-keys';
import { createRedisSpanEventTarget, createSpanPubSub } from './services/span-pubsub';
import { createEncodePool } from './services/ingest/encode-pool';
import { sealerDataOf } from './services/ingest/worker-sealer';
import { createOtlpReadPool } from './services/ingest/otlp/otlp-read-pool';
import { createGraphqlReadPool, type GraphqlReadPool } from './http/graphql-read-pool';
import { printSchema } from 'graphql';
import { schema } from '../schema/index';
import { createProjectKeyStore } from './storage/project-keys';

// The composition root: the one place that knows every concrete part.

export interface App {
  deps: AppDeps;
  /** Retention and the other background work (started with `background: true`). */
  maintenance: Maintenance;
  yoga: TokentraceYoga;
  /** Large GraphQL ingest requests read in a worker thread (http/graphql-read-pool.ts). */
  graphqlReadPool: GraphqlReadPool;
  dbHandle: DbHandle;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  logger?: Logger;
  onQuery?: (sql: string) => void;
  /** Plugins to use instead of the config file's (tests). */
  plugins?: PluginEntry[];
  /** Schedule the maintenance runs (retention…): the server does, commands and tests do not. */
  background?: boolean;
  /** Run the migrations first. A cluster's workers do not: their primary did. @default true */
  migrate?: boolean;
  /** A new embedded database starts from this dump instead of initdb (tests; DbConfig.template). */
  dbTemplate?: Blob;
  /** OTLP bodies of at least this many bytes are read in the OTLP read worker (tests lower it). */
  otlpReadMinBytes?: number;
  /** GraphQL bodies of at least this many bytes go to the GraphQL read worker (tests lower it). */
  graphqlReadMinBytes?: number;
}

export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Plugins load before the database opens: a bad config stops the start without side effects.
  const plugins = await loadPlugins(config, logger, options.plugins);
  logger.info({ plugins: plugins.names, source: plugins.source }, 'plugins loaded');
  // The audit signing key too: production without TOKENTRACE_AUDIT_KEYS stops here.
  const auditKeys = loadAuditKeyRing(config, (message) => logger.warn(message));
  // Redis before the database too: an unreachable REDIS_URL stops the start with nothing to undo.
  let redis: RedisClients | undefined;
  if (config.redisUrl) {
    redis = await createRedisClients(config.redisUrl, logger);
    logger.info({ redis: redisAddress(config.redisUrl) }, 'live tail and rate limits shared through Redis');
  }
  let dbHandle: DbHandle;
  const opening = createDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onQuery: options.onQuery,
    prepareStatements: config.pgPrepare,
    template: options.dbTemplate,
    // Every query fails from then on (GET /readyz answers 503): the log says why, once.
    onEmbeddedFailure: (err) => logger.error({ err }, 'the embedded database stopped: its worker thread ended unexpectedly; restart the server'),
  });
  // While the database opens (the embedded one in its worker thread), this thread does what needs
  // no database: Node's fetch API, which yoga's server adapter uses, loads on first use (≈ 0.1 s).
  loadFetchApi();
  const metrics = createMetrics({ pool: () => dbHandle.poolStats() });
  try {
    dbHandle = await opening;
  } catch (err) {
    await redis?.close();
    throw err;
  }
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(dbHandle.db);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    }
    const prices = await createPriceBook(dbHandle.db);
    // Started on the first large batch, not here.
    const encodePool = createEncodePool(plugins.codec, logger);
    // The read workers may seal what they read (early-sealing.ts) with a codec of their own.
    const sealer = sealerDataOf(plugins.codec);
    const otlpReadPool = createOtlpReadPool(logger, { minBytes: options.otlpReadMinBytes, ...(sealer ? { sealer } : {}) });
    const deps: AppDeps = {
      config,
      db: dbHandle.db,
      dbDialect: dbHandle.dialect,
      logger,
      codec: plugins.codec,
      projectKeys: createProjectKeyStore(dbHandle.db, plugins.codec),
      ...(encodePool ? { encodePool } : {}),
      otlpReadPool,
      accessLog: createAccessLogWriter(dbHandle.db, logger),
      plugins,
      prices,
      auditKeys,
      signInLimiter: createSignInLimiter({ ...config.signInLimits, signUpsPerIp: config.signUpsPerIp }, { redis: redis?.publisher }),
      ingestLimiter: createIngestRateLimiter(config.ingest.spansPerMinute, { redis: redis?.publisher }),
      // Live tail: through Redis when set; in a cluster's worker otherwise, relayed by the primary.
      pubsub: createSpanPubSub(redis ? createRedisSpanEventTarget(redis) : cluster.isWorker ? createClusterSpanEventTarget() : undefined),
      metrics,
      ...(redis ? { redis: redis.publisher } : {}),
    };
    await keyLegacyAuditChains(deps);
    type YogaPlugins = NonNullable<Parameters<typeof createTokentraceYoga>[1]>;
    const yoga = createTokentraceYoga(deps, [useRequestMetrics(deps.metrics), ...plugins.yoga] as YogaPlugins);
    const graphqlReadPool = createGraphqlReadPool(logger, () => printSchema(schema), { minBytes: options.graphqlReadMinBytes, ...(sealer ? { sealer } : {}) });
    const maintenance = createMaintenance(deps, [pruneAccessLog]);
    const usageCompactor = createUsageCompactor(deps);
    if (options.background) {
      maintenance.start();
      usageCompactor.start();
    }
    return {
      deps,
      maintenance,
      yoga,
      graphqlReadPool,
      dbHandle,
      close: async () => {
        prices.stop();
        await maintenance.stop();
        await usageCompactor.stop();
        await deps.accessLog.close();
        await encodePool?.close();
        await otlpReadPool.close();
        await graphqlReadPool.close();
        try {
          await dbHandle.close();
        } finally {
          await redis?.close();
        }
      },
    };
  } catch (err) {
    try {
      await dbHandle.close();
    } finally {
      await redis?.close();
    }
    throw err;
  }
}
