import { createHash } from 'node:crypto';
import type pg from 'pg';

// Ingest's statements are large and repeat: a 100-span upsert binds 2,100 parameters, and
// Postgres spends milliseconds parsing, analysing and planning it on every batch. A named
// (prepared) statement pays that once per connection. Only statements the caller marks as hot
// are named — ingest's writes, whose result columns are listed explicitly, so a later
// migration cannot make a cached plan's result type stale ("cached plan must not change result
// type" is what `select *` would risk) — and at most `maxPerConnection` of them, so batch sizes
// the server has not seen before cannot grow the cache without bound.
//
// Off with TOKENTRACE_PG_PREPARE=false, e.g. behind a pooler in transaction mode that cannot
// carry prepared statements across transactions.

type Query = (...args: unknown[]) => unknown;

// Names by text, so a repeated statement is not hashed again (a 100-span upsert is ~60 KB of SQL).
const NAME_CACHE_SIZE = 64;
const nameByText = new Map<string, string>();

function statementName(text: string): string {
  let name = nameByText.get(text);
  if (name === undefined) {
    name = `tt_${createHash('sha1').update(text).digest('base64url')}`;
    if (nameByText.size >= NAME_CACHE_SIZE) nameByText.delete(nameByText.keys().next().value!);
    nameByText.set(text, name);
  }
  return name;
}

export function prepareHotStatements(pool: pg.Pool, isHot: (text: string) => boolean, maxPerConnection = 32): void {
  pool.on('connect', (client) => {
    const prepared = new Set<string>();
    const query = client.query as unknown as Query;
    (client as unknown as { query: Query }).query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
      if (typeof config === 'string' && Array.isArray(values) && isHot(config)) {
        const name = statementName(config);
        if (prepared.has(name) || prepared.size < maxPerConnection) {
          prepared.add(name);
          return query.call(this, { name, text: config, values }, callback);
        }
      }
      return query.call(this, config, values, callback);
    };
  });
}
