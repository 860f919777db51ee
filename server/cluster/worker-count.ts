import { availableParallelism } from 'node:os';
import type { Config } from '../config';

// How many server processes `npm start` runs. On Postgres a cluster of one per core by default
// (TOKENTRACE_WORKERS to choose): one Node process uses one core for JavaScript, and the ingest
// path is CPU-bound on the server. Embedded PGlite lives inside one process and holds its data
// directory's lock, so the embedded default always runs one.

export interface WorkerPlan {
  workers: number;
  /** Why there is one process, when there is one (logged at start). */
  why: string | null;
}

export function planWorkers(config: Pick<Config, 'databaseUrl' | 'workers'>, cores = availableParallelism()): WorkerPlan {
  if (!config.databaseUrl) {
    return { workers: 1, why: 'embedded PGlite runs in one process (TOKENTRACE_WORKERS applies to Postgres)' };
  }
  const workers = config.workers ?? cores;
  return { workers, why: workers === 1 ? (config.workers ? 'TOKENTRACE_WORKERS=1' : 'one core available') : null };
}
