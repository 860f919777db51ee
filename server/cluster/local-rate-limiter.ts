import cluster from 'node:cluster';
import { RateLimiterCluster, RateLimiterMemory, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';

// A rate limiter without Redis: in process memory, or, in a worker of `npm start`'s cluster,
// counted by the primary (RateLimiterClusterMaster, server/cluster/primary.ts) so that every
// worker takes from one budget. Otherwise a client spreading its requests over N workers'
// connections would get N budgets.

export function localRateLimiter(options: IRateLimiterOptions & { keyPrefix: string }): RateLimiterAbstract {
  return cluster.isWorker ? new RateLimiterCluster({ ...options, timeoutMs: 5000 }) : new RateLimiterMemory(options);
}
