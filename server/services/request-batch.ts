import type { RequestContext } from '../context';

// Per-request batching for list fields: each row of a page asks for its own value, and the
// calls made while one response resolves are answered by one query. State lives in a WeakMap
// keyed by the request context, so nothing outlives the request.

type Batch<K, V> = (key: K) => Promise<V>;

const batches = new WeakMap<RequestContext, Map<string, Batch<unknown, unknown>>>();

/**
 * The batch loader named `name` for this request: `load(keys)` runs once per tick with every key
 * asked for meanwhile (deduplicated) and returns a value per key; keys it leaves out get `fallback`.
 */
export function batchedPerRequest<K, V>(ctx: RequestContext, name: string, load: (keys: K[]) => Promise<Map<K, V>>, fallback: V): Batch<K, V> {
  let perRequest = batches.get(ctx);
  if (!perRequest) batches.set(ctx, (perRequest = new Map()));
  let batch = perRequest.get(name) as Batch<K, V> | undefined;
  if (!batch) {
    batch = createBatch(load, fallback);
    perRequest.set(name, batch as Batch<unknown, unknown>);
  }
  return batch;
}

function createBatch<K, V>(load: (keys: K[]) => Promise<Map<K, V>>, fallback: V): Batch<K, V> {
  const cache = new Map<K, Promise<V>>();
  let queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  const flush = async () => {
    const pending = queue;
    queue = [];
    try {
      const values = await load(pending.map((p) => p.key));
      for (const p of pending) p.resolve(values.has(p.key) ? (values.get(p.key) as V) : fallback);
    } catch (err) {
      for (const p of pending) p.reject(err);
    }
  };
  return (key) => {
    let hit = cache.get(key);
    if (!hit) {
      hit = new Promise<V>((resolve, reject) => {
        // setImmediate, not a microtask: each row's auth checks settle in their own microtasks.
        if (queue.length === 0) setImmediate(() => void flush());
        queue.push({ key, resolve, reject });
      });
      cache.set(key, hit);
    }
    return hit;
  };
}
