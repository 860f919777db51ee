// The calling code's stack frames on an error made elsewhere: the embedded database's worker
// thread answers a query with an error whose stack is the worker's own (pglite-worker-client.ts),
// which says nothing of the repository or request that made the query.

/** A stack captured when a request is made; V8 formats it only if read (on failure). */
export interface CallSite {
  stack?: string;
}

/** The current stack from the caller of `fn` up (`fn` and what it calls left out). */
export function captureCallSite(fn: (...args: never[]) => unknown): CallSite {
  const site: CallSite = {};
  Error.captureStackTrace(site, fn);
  return site;
}

/**
 * `err` with the frames of `site` after its own; its message and other own properties are left as
 * they are. An error without a stack of its own gets its `name: message` line first.
 */
export function withCallerFrames(err: Error, site: CallSite | undefined): Error {
  const siteStack = site?.stack;
  const at = siteStack?.indexOf('\n    at ') ?? -1;
  if (!siteStack || at < 0) return err;
  const own = typeof err.stack === 'string' && err.stack !== '' ? err.stack : `${err.name}: ${err.message}`;
  Object.defineProperty(err, 'stack', { value: own + siteStack.slice(at), enumerable: false, writable: true, configurable: true });
  return err;
}
