import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { pingDatabase } from '../db/repositories/database-state';
import type { App } from '../app';
import { earlySealingFor } from '../services/ingest/early-sealing';
import { parseProjectSettings } from '../services/projects';
import { createDashboardHandler } from './dashboard';
import { authenticateEarly } from './early-authentication';
import { handleExportRoute } from './export-route';
import { handleMetrics } from './metrics-route';
import { handleOAuthRoute } from './oauth-routes';
import { handleOtlpRoute } from './otlp-route';
import { parseJsonBody } from './parse-json-body';
import { BodyTooLargeError, joinBody, readBodyParts, type BodyParts } from './read-body';
import { handleSecurityTxt } from './security-txt';
import { assertTransportAllowed, setTransportHeaders, tlsServerOptions } from './tls';

// Plain routes beside GraphQL: liveness and readiness for orchestrators.

async function handleProbe(app: App, path: string, res: ServerResponse): Promise<boolean> {
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return true;
  }
  if (path === '/readyz') {
    try {
      await pingDatabase(app.deps.db);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
    } catch {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"database unreachable"}');
    }
    return true;
  }
  return false;
}

const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Reads a POST body for yoga under TOKENTRACE_MAX_BODY_BYTES, with or without a Content-Length
 * (chunked): the limit holds while the body streams in. Yoga then takes it from `req.body`, the
 * way it takes a body a framework has already read. False when the request was answered (413).
 */
async function bufferBody(app: App, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  try {
    const received = await readBodyParts(req, app.deps.config.ingest.maxBodyBytes);
    // A large ingest request with a credential is read in a worker thread when it can be
    // (graphql-read-pool.ts): whoever sends no key at all keeps to the old path.
    const readElsewhere =
      isJsonRequest(req) && req.headers.authorization && app.graphqlReadPool.takes(received.size) ? await readInWorker(app, req, received) : null;
    if (readElsewhere) {
      (req as IncomingMessage & { body?: unknown }).body = readElsewhere;
    } else {
      const body = joinBody(received);
      (req as IncomingMessage & { body?: unknown }).body = parsedJsonBody(req, body) ?? Readable.from([body]);
    }
    return true;
  } catch (err) {
    const tooLarge = err instanceof BodyTooLargeError;
    res.writeHead(tooLarge ? 413 : 400, { 'content-type': 'application/json; charset=utf-8', ...(tooLarge ? { connection: 'close' } : {}) });
    res.end(
      JSON.stringify({
        errors: [{ message: tooLarge ? err.message : 'The request body could not be read.', extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT' } }],
      }),
    );
    return false;
  }
}

/**
 * The body read in the GraphQL read worker. An ingest key is checked first, so that the worker
 * may also seal the content for the key's project (early-sealing.ts); yoga takes the same
 * authentication (early-authentication.ts).
 */
async function readInWorker(app: App, req: IncomingMessage, body: BodyParts) {
  const auth = await authenticateEarly(app.deps, req);
  let sealing = null;
  try {
    if (auth?.principal.kind === 'ingestKey' && auth.ingestProjectSettings !== undefined) {
      sealing = await earlySealingFor(app.deps, auth.principal.projectId, parseProjectSettings(auth.ingestProjectSettings));
    }
  } catch {
    // Only an optimisation: the encode stage seals, and reports whatever fails there.
  }
  return app.graphqlReadPool.read(body.parts, Date.now(), sealing);
}

/**
 * A JSON body parsed here, without the one large string yoga's own reading would build
 * (parse-json-body.ts): an ingest batch is mostly such a body. Only for the content types yoga
 * reads as JSON, tested as yoga does, and only a non-empty object or array, which yoga takes
 * as parsed. Anything else, and JSON that does not parse, goes to yoga as bytes: its own
 * answers to bad bodies stay as they are.
 */
function parsedJsonBody(req: IncomingMessage, body: Buffer): object | undefined {
  if (!isJsonRequest(req)) return undefined;
  try {
    const parsed = parseJsonBody(body);
    return typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}
const JSON_TYPES = ['application/json', 'application/graphql+json'];

/** A content type yoga reads as JSON, tested as yoga does. */
function isJsonRequest(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type']?.split(',')[0];
  return contentType !== undefined && JSON_TYPES.some((type) => contentType === type || contentType.startsWith(`${type};`));
}

/** HTTPS (TLS 1.3 only) when a certificate is configured, plain HTTP otherwise. */
export function createHttpServer(app: App): Server | HttpsServer {
  const { config } = app.deps;
  assertTransportAllowed(config);
  const handleDashboard = createDashboardHandler();
  // In a cluster (server/cluster) every answer names the worker that gave it: which process
  // served a request is the first question when one misbehaves. A small number, not a pid.
  const workerId = cluster.isWorker ? String(cluster.worker!.id) : undefined;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (workerId) res.setHeader('x-tokentrace-worker', workerId);
    setTransportHeaders(config, req.headers['x-forwarded-proto'], res);
    if (await handleProbe(app, path, res)) return;
    if (await handleMetrics(config, app.deps.metrics, req, res, path)) return;
    if (handleSecurityTxt(config, path, res)) return;
    if (await handleOAuthRoute(app, req, res, path)) return;
    if (await handleOtlpRoute(app, req, res, path)) return;
    if (await handleExportRoute(app, req, res, path)) return;
    // The dashboard: client/dist at `/`, with the SPA fallback for its routes.
    if (await handleDashboard(req, res)) return;
    if (req.method === 'POST' && !(await bufferBody(app, req, res))) return;
    await app.yoga(req, res);
  };
  const server = config.tls ? createHttpsServer(tlsServerOptions(config.tls), handler) : createServer(handler);
  // Keep idle connections longer than the proxies and SDKs in front of us do (load balancers
  // commonly hold them 60 s). With Node's 5 s default the server closes a connection the other
  // side is just reusing, and that request fails with a reset ("socket hang up", a 502 at a proxy).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  return server;
}
