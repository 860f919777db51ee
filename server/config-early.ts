// The two settings read before the configuration loads: whether `start` uses the embedded database
// (DATABASE_URL) and where it is (TOKENTRACE_DATA_DIR), for the start's warm-up
// (server/start-warm-up.ts), which opens the database while the server's modules load. No imports
// on purpose: `npm start` evaluates the warm-up from a small bundle of its own before the server's
// (server/cli-preamble.ts), and the schema library config.ts uses would make that bundle ≈ 4× larger.
// config.ts's schema reads both variables through these same functions, so the two cannot differ.

/** TOKENTRACE_DATA_DIR when unset. */
export const DEFAULT_DATA_DIR = './.tokentrace';

/** What loadConfig says of a DATABASE_URL that is not a Postgres URL. */
export const DATABASE_URL_MESSAGE = 'must start with postgres:// or postgresql://';

/** What loadConfig says of an empty TOKENTRACE_DATA_DIR. */
export const DATA_DIR_MESSAGE = 'must not be empty (unset it for the default, ./.tokentrace)';

/** A string setting: unset, empty or only whitespace means "not set"; otherwise trimmed. */
export function blankAsUnset(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * DATABASE_URL: undefined when not set (the embedded database), the trimmed URL for Postgres, or
 * null when it is set but not a Postgres URL (loadConfig stops the start).
 */
export function databaseUrlOf(value: string | undefined): string | undefined | null {
  const url = blankAsUnset(value);
  return url === undefined || /^postgres(ql)?:\/\//.test(url) ? url : null;
}

/**
 * TOKENTRACE_DATA_DIR: the default when unset, the value as written otherwise (not trimmed: a
 * folder's name may hold spaces), or null when empty (loadConfig stops the start).
 */
export function dataDirOf(value: string | undefined): string | null {
  if (value === undefined) return DEFAULT_DATA_DIR;
  return value === '' ? null : value;
}

/** Whether `start` will open the embedded database; false for a DATABASE_URL loadConfig refuses. */
export function usesEmbeddedDatabase(env: Record<string, string | undefined> = process.env): boolean {
  return databaseUrlOf(env.DATABASE_URL) === undefined;
}

/** TOKENTRACE_DATA_DIR as loadConfig reads it, or undefined when it refuses it. */
export function embeddedDataDir(env: Record<string, string | undefined> = process.env): string | undefined {
  return dataDirOf(env.TOKENTRACE_DATA_DIR) ?? undefined;
}
