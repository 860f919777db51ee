import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Serves the built dashboard (client/dist) at `/`. Paths the server answers itself never fall
// back to the SPA; any other path without a file extension gets index.html, so a shared
// dashboard URL works on reload. Hashed assets are immutable; index.html is revalidated on
// every load, so a deploy is picked up at once.

export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../client/dist', import.meta.url));

/** Paths owned by the API and the other routes: a 404 there must stay the route's own. */
const SERVER_PATHS = [/^\/graphql(\/|$)/, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/auth(\/|$)/, /^\/v1(\/|$)/, /^\/\.well-known(\/|$)/];

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface DashboardHandlerOptions {
  /** The folder holding index.html and assets/. @default client/dist */
  root?: string;
}

/** Returns a handler that answers a request and resolves true, or resolves false to pass it on. */
export function createDashboardHandler(options: DashboardHandlerOptions = {}) {
  const root = resolve(options.root ?? DEFAULT_DASHBOARD_DIR);

  return async function handleDashboard(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (SERVER_PATHS.some((p) => p.test(rawPath))) return false;

    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return send(req, res, 400, 'Bad request path.');
    }
    // Refuse rather than normalise: a browser never sends these, an attacker does.
    if (path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..' || s === '.')) {
      return send(req, res, 400, 'Bad request path.');
    }

    // Files are the hashed assets and a few top-level ones (favicon.svg); any deeper path is a
    // client route, even with a dot in it (a trace id such as `run.v2`).
    const isAsset = path.startsWith('/assets/');
    const isTopLevelFile = path.lastIndexOf('/') === 0 && extname(path) !== '';
    if (isAsset || isTopLevelFile) {
      const file = resolve(join(root, path));
      if (!file.startsWith(root + sep)) return send(req, res, 400, 'Bad request path.');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return send(req, res, 404, 'Not found.');
      const cacheControl = isAsset ? 'public, max-age=31536000, immutable' : 'no-cache';
      return sendFile(req, res, file, info.size, cacheControl);
    }

    const index = join(root, 'index.html');
    const info = await stat(index).catch(() => null);
    if (!info?.isFile()) {
      return send(req, res, 503, 'The dashboard is not built yet: run `npm run build:client` (npm start builds it on start).');
    }
    return sendFile(req, res, index, info.size, 'no-cache');
  };
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, cacheControl: string): Promise<boolean> {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(size),
    'cache-control': cacheControl,
  });
  if (req.method === 'HEAD') {
    res.end();
    return Promise.resolve(true);
  }
  return new Promise((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      done(true);
    });
    stream.on('end', () => done(true));
    stream.pipe(res);
  });
}

function send(req: IncomingMessage, res: ServerResponse, status: number, message: string): true {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : message);
  return true;
}
