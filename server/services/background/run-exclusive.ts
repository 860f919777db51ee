import type { AppDeps } from '../../context';
import { releaseAdvisoryLock, tryAdvisoryLock } from '../../db/repositories/advisory-locks';

// One runner across instances for background work. On Postgres the runner holds a
// session-level advisory lock on a connection of its own for the whole run: another server (or
// `npm run retention:run`) trying at the same time finds it taken and skips, and a server that
// dies mid-run releases it with its connection. The embedded database is opened by one process
// only, so there the in-process guard is the whole story (and holding its single connection
// would stall the work itself).

export type ExclusiveRun<T> = { ran: true; value: T } | { ran: false };

const running = new WeakMap<AppDeps, Set<string>>();

export async function runExclusive<T>(deps: AppDeps, name: string, work: () => Promise<T>): Promise<ExclusiveRun<T>> {
  let names = running.get(deps);
  if (!names) running.set(deps, (names = new Set()));
  if (names.has(name)) return { ran: false };
  names.add(name);
  try {
    if (deps.dbDialect === 'pglite') return { ran: true, value: await work() };
    return await deps.db.connection().execute(async (conn) => {
      if (!(await tryAdvisoryLock(conn, name))) return { ran: false } as const;
      try {
        return { ran: true, value: await work() } as const;
      } finally {
        await releaseAdvisoryLock(conn, name);
      }
    });
  } finally {
    names.delete(name);
  }
}
