import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { authenticateRequest } from '../auth/authenticate';
import { AppError } from '../errors';
import { startExport } from '../services/export/export-spans';
import { CONTENT_TYPES } from '../services/export/export-format';
import { parseExportParams } from '../services/export/export-params';
import { checkCsrf } from './csrf';
import { httpErrorResponse } from './errors';
import { toFetchRequest } from './route-context';
import { contextFor, requestMeta } from './yoga';

// GET /api/projects/{projectId}/export?format=jsonl|csv&…filters (server/services/export).
// A browser session (same-site checked, as GraphQL is) or a personal access token; an ingest
// key is refused. Refusals are JSON with a status, before any data; once rows flow, a failure
// ends the connection mid-file rather than passing a partial file off as whole.

const ROUTE = /^\/api\/projects\/([^/]+)\/export$/;

// A plain HTTP route answers with the status a GraphQL field error cannot have.
const STATUS: Partial<Record<AppError['code'], number>> = { FORBIDDEN: 403, NOT_FOUND: 404 };

async function sendError(res: ServerResponse, error: AppError): Promise<void> {
  const response = httpErrorResponse(error);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  const retryAfter = error.details?.retryAfterSeconds;
  if (retryAfter) headers['retry-after'] = String(retryAfter);
  res.writeHead(error.httpStatus ?? STATUS[error.code] ?? response.status, headers).end(await response.text());
}

/** Handles the request when it is the export route; false otherwise. */
export async function handleExportRoute(app: App, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const match = ROUTE.exec(path);
  if (!match) return false;
  const { deps } = app;
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Use GET.', extensions: { code: 'BAD_USER_INPUT' } }] }));
    return true;
  }
  const projectId = decodeURIComponent(match[1]!);
  const request = toFetchRequest(req, deps.config.publicUrl);
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  let started;
  let format;
  try {
    const auth = await authenticateRequest(deps, request.headers);
    if (!request.headers.has('authorization')) checkCsrf(request, deps.config.publicUrl);
    const ctx = contextFor(deps, auth.principal, requestMeta(deps, request, { req }), []);
    const params = parseExportParams(new URL(request.url).searchParams);
    format = params.format;
    started = await startExport(ctx, projectId, params);
  } catch (err) {
    if (err instanceof AppError) {
      await sendError(res, err);
      return true;
    }
    throw err;
  }

  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[format],
    'content-disposition': `attachment; filename="tokentrace-${projectId}-${stamp}.${format}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  const sink = {
    write: (text: string) =>
      new Promise<void>((resolve) => {
        if (text === '' || res.write(text)) return resolve();
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      }),
  };
  try {
    const outcome = await started.run(sink, abort.signal);
    if (outcome.completed) res.end();
    else res.destroy();
  } catch (err) {
    deps.logger.error({ projectId, err: err instanceof Error ? err.message : String(err) }, 'export failed mid-stream; connection closed');
    res.destroy();
  }
  return true;
}
