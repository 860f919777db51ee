import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';

// A client of the load balancer as a user's machine would be: HTTPS with the deployment's CA,
// connecting from its own loopback address (127.0.0.7), so the audit log can be checked for
// the real client IP rather than the proxy's. One connection per request, so HAProxy's round
// robin decides every request; the X-Served-By header (TT_LB_SERVED_BY=1) says who answered.

export interface LbResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  servedBy: string | undefined;
}

export interface LiveTail {
  servedBy: string | undefined;
  /** Names of the spans received so far. */
  names: string[];
  /** Resolves when the stream ends (the instance died, or close()). */
  ended: Promise<void>;
  close(): void;
}

export interface LbClient {
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<LbResponse>;
  get(path: string, headers?: Record<string, string>): Promise<LbResponse>;
  liveTail(projectId: string, cookie: string): Promise<LiveTail>;
}

export function createLbClient(baseUrl: string, ca: Buffer, localAddress: string): LbClient {
  const base = new URL(baseUrl);
  const agent = new Agent({ ca, localAddress, keepAlive: false, minVersion: 'TLSv1.3' });
  const send = (method: string, path: string, body: string | undefined, headers: Record<string, string>) =>
    new Promise<LbResponse>((resolve, reject) => {
      const req = request(
        { host: base.hostname, port: base.port, path, method, agent, servername: 'localhost', headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, servedBy: res.headers['x-served-by'] as string | undefined }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    post: (path, body, headers = {}) => send('POST', path, JSON.stringify(body), { 'content-type': 'application/json', ...headers }),
    get: (path, headers = {}) => send('GET', path, undefined, headers),
    liveTail(projectId, cookie) {
      const body = JSON.stringify({ query: 'subscription($p: ID!) { spanIngested(projectId: $p) { id name } }', variables: { p: projectId } });
      return new Promise<LiveTail>((resolve, reject) => {
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path: '/graphql',
            method: 'POST',
            agent,
            servername: 'localhost',
            headers: { 'content-type': 'application/json', accept: 'text/event-stream', cookie, 'content-length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            if (res.statusCode !== 200) {
              reject(new Error(`live tail answered ${res.statusCode}`));
              return;
            }
            const names: string[] = [];
            let buffer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const data = /^event: next\ndata: (.*)$/m.exec(frame)?.[1];
                if (data) names.push((JSON.parse(data) as { data: { spanIngested: { name: string } } }).data.spanIngested.name);
              }
            });
            const ended = new Promise<void>((done) => {
              res.on('close', () => done());
              res.on('error', () => done());
            });
            resolve({ servedBy: res.headers['x-served-by'] as string | undefined, names, ended, close: () => req.destroy() });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}
