import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local HTTP server for tests: records every request's raw bytes, answers through a
// replaceable handler (status codes, delays, dropped connections) or forwards to a real server.

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Exactly the bytes that arrived, as UTF-8 text. */
  raw: string;
  json(): any;
}

export type StubHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface HttpStub {
  url: string;
  requests: RecordedRequest[];
  handler: StubHandler;
  close(): Promise<void>;
}

export async function startHttpStub(handler: StubHandler): Promise<HttpStub> {
  const stub = { requests: [] as RecordedRequest[], handler } as HttpStub;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, json: () => JSON.parse(raw) };
      stub.requests.push(recorded);
      Promise.resolve(stub.handler(recorded, res)).catch((error) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stub.url = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/** Answers an ingest request the way the server does: all accepted. */
export function acceptAll(req: RecordedRequest, res: ServerResponse): void {
  const spans = req.json().variables.spans as unknown[];
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { ingest: { accepted: spans.length, rejected: [] } } }));
}

/** Forwards the request to `target` (same path) and relays the answer. */
export async function forward(target: string, req: RecordedRequest, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'authorization', 'accept']) {
    const v = req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  const upstream = await fetch(new URL(req.url, target), { method: req.method, headers, body: req.raw });
  const text = await upstream.text();
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
}

/** All spans sent so far, in order. */
export function sentSpans(stub: HttpStub): any[] {
  return stub.requests.flatMap((r) => (r.raw ? (r.json().variables?.spans ?? []) : []));
}
