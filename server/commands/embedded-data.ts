import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { KEY_FILE_NAME } from '../../plugins/encryption/index';

// Where the embedded database and its key live, and the refusals backup and restore share.

export class CommandRefused extends Error {
  override name = 'CommandRefused';
}

export function pgdataDir(config: Config): string {
  return join(config.dataDir, 'pgdata');
}

export function keyFilePath(config: Config): string {
  return join(config.dataDir, KEY_FILE_NAME);
}

export function hasEmbeddedDatabase(config: Config): boolean {
  return existsSync(join(pgdataDir(config), 'PG_VERSION'));
}

/** Backup and restore of the embedded database only: Postgres has its own tools. */
export function requireEmbedded(config: Config, command: string): void {
  if (config.databaseUrl) {
    throw new CommandRefused(
      `${command} is for the embedded database, and DATABASE_URL is set: use pg_dump / pg_restore (docs/operations.md#backup-and-restore).`,
    );
  }
  if (config.dataDir === 'memory://') throw new CommandRefused(`TOKENTRACE_DATA_DIR is memory://: there is nothing on disk to ${command}.`);
}

/** Where the key ring that seals span content comes from, in words for an operator. */
export function describeKeySource(config: Config): string {
  if (config.encryptionKeys) return 'TOKENTRACE_ENCRYPTION_KEYS';
  return existsSync(keyFilePath(config)) ? keyFilePath(config) : 'nowhere yet (no TOKENTRACE_ENCRYPTION_KEYS, no key file)';
}
