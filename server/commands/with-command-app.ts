import { createApp, type App } from '../app';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { checkEmbeddedDatabase } from './embedded-database';

// The frame of the maintenance commands (retention:run, keys:rotate, keys:rotate-data): the
// server's own config, plugins and key ring, the embedded data folder refused while a server
// holds it, the app closed however the work ends, and a failure printed as one line under the
// command's name with exit code 1 (never a stack trace full of internals).

export async function withCommandApp(name: string, work: (app: App, logger: ReturnType<typeof createLogger>) => Promise<void>, checkArgs?: () => void): Promise<void> {
  try {
    checkArgs?.();
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    checkEmbeddedDatabase(config);
    const app = await createApp(config, { logger });
    try {
      await work(app, logger);
    } finally {
      await app.close();
    }
  } catch (err) {
    console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
