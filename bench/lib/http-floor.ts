import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContentCodec } from '../../plugins/core/codec';
import { joinBody, readBodyParts } from '../../server/http/read-body';
import type { PriceBook } from '../../server/prices/price-book';
import { insertStatement, rowValues, type Execute } from './raw-insert';
import type { BenchSpan } from './spans';

// The floor of ingest over HTTP on this host: the raw INSERT baseline (raw-insert.ts) behind a
// bare node:http handler, fed by the same senders with the same GraphQL request bodies. Per
// request it does only what no HTTP ingest can skip: read the body, JSON.parse it, turn the
// spans into rows (price, seal content) and run the one INSERT, then answer as `ingest` does.
// No key check, no validation, no upsert, no roll-ups, no worker threads.
//
// What it shows: the HTTP request (kernel and node:http on both sides), the body's parse and the
// senders' own CPU, which on a 2-core host share the cores with the server. Its throughput
// against the raw INSERT's is the highest ratio any HTTP ingest could print in the same run.

export interface HttpFloor {
  endpoint: string;
  close(): Promise<void>;
}

// Far above any bench body: the floor reads what the senders send, as the server would.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startHttpFloor(options: { execute: Execute; projectId: string; prices: PriceBook; codec: ContentCodec }): Promise<HttpFloor> {
  const { execute, projectId, prices, codec } = options;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = JSON.parse(joinBody(await readBodyParts(req, MAX_BODY_BYTES)).toString('utf8')) as { variables?: { spans?: BenchSpan[] } };
        const spans = body.variables?.spans ?? [];
        const params: unknown[] = [];
        for (const span of spans) params.push(...rowValues(projectId, span, prices, codec));
        await execute(insertStatement(spans.length), params);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { ingest: { accepted: spans.length, rejected: [] } } }));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: err instanceof Error ? err.message : String(err) }] }));
      }
    })();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
