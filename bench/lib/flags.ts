// The flags every bench reads alike: whole-number options and which database to run on.
// One place, so `--db=postgres` without a server URL, or `--batch=0`, fails the same way in
// every bench instead of each inventing its own message (or running with NaN).

/** A flag that must be a whole number ≥ 1; `fallback` when the flag was not given. */
export function positiveInt(name: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

export type BenchDatabase = { kind: 'pglite'; serverUrl?: undefined } | { kind: 'postgres'; serverUrl: string };

/**
 * `--db=pglite|postgres`; without the flag, Postgres when BENCH_DATABASE_URL (or DATABASE_URL)
 * names a server, else embedded PGlite, unless `defaultKind` says otherwise.
 */
export function benchDatabase(flag: string | undefined, defaultKind?: 'pglite' | 'postgres'): BenchDatabase {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
  const kind = flag ?? defaultKind ?? (serverUrl ? 'postgres' : 'pglite');
  if (kind !== 'postgres' && kind !== 'pglite') throw new Error(`--db must be pglite or postgres, got ${flag}`);
  if (kind === 'pglite') return { kind };
  if (!serverUrl) throw new Error('--db=postgres needs BENCH_DATABASE_URL (or DATABASE_URL)');
  return { kind, serverUrl };
}
