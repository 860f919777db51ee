import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sql } from 'kysely';
import type { App } from '../app';

// Plain routes beside GraphQL: liveness and readiness for orchestrators.

async function handleProbe(app: App, path: string, res: ServerResponse): Promise<boolean> {
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return true;
  }
  if (path === '/readyz') {
    try {
      await sql`select 1`.execute(app.deps.db);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
    } catch {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"database unreachable"}');
    }
    return true;
  }
  return false;
}

export function createHttpServer(app: App): Server {
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (await handleProbe(app, path, res)) return;
    // Bodies must announce their size, so an oversized one is refused before it is read.
    if (req.method === 'POST' && req.headers['content-length'] === undefined) {
      res.writeHead(411, { 'content-type': 'application/json' }).end(
        JSON.stringify({ errors: [{ message: 'Send a Content-Length header.', extensions: { code: 'BAD_USER_INPUT' } }] }),
      );
      return;
    }
    if (path === '/' && req.method === 'GET') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    await app.yoga(req, res);
  });
}
