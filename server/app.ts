import type { Logger } from 'pino';
import { identityCodec } from '../plugins/core/codec';
import { createSignInLimiter } from './auth/sign-in-limiter';
import type { Config } from './config';
import type { AppDeps } from './context';
import { createDb, type DbHandle } from './db/create-db';
import { migrateToLatest } from './db/migrate';
import { createTokentraceYoga, type TokentraceYoga } from './http/yoga';
import { createLogger } from './logger';
import { createPriceBook } from './prices/price-book';
import { createSpanPubSub } from './services/span-pubsub';

// The composition root: the one place that knows every concrete part.

export interface App {
  deps: AppDeps;
  yoga: TokentraceYoga;
  dbHandle: DbHandle;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: { logger?: Logger; onQuery?: (sql: string) => void } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const dbHandle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onQuery: options.onQuery });
  try {
    const applied = await migrateToLatest(dbHandle.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    const prices = await createPriceBook(dbHandle.db);
    const deps: AppDeps = {
      config,
      db: dbHandle.db,
      logger,
      codec: identityCodec,
      prices,
      signInLimiter: createSignInLimiter(config.signInLimits),
      pubsub: createSpanPubSub(),
    };
    const yoga = createTokentraceYoga(deps);
    return {
      deps,
      yoga,
      dbHandle,
      close: async () => {
        prices.stop();
        await dbHandle.close();
      },
    };
  } catch (err) {
    await dbHandle.close();
    throw err;
  }
}
