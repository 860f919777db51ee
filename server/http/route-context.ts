import type { IncomingMessage } from 'node:http';
import { authenticateRequest } from '../auth/authenticate';
import { anonymous, type Principal } from '../auth/principal';
import type { AppDeps, RequestContext } from '../context';
import { contextFor, requestMeta } from './yoga';

// A RequestContext for plain HTTP routes (the OAuth start and callback), so they reuse the
// services GraphQL uses: the same context, session creation, cookies and audit entries.

export interface RouteContext {
  ctx: RequestContext;
  /** Set-Cookie headers the services queued, to send with the response. */
  cookies: string[];
  request: Request;
}

export function toFetchRequest(req: IncomingMessage, publicUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return new Request(new URL(req.url ?? '/', publicUrl), { method: req.method, headers });
}

export async function createRouteContext(deps: AppDeps, req: IncomingMessage): Promise<RouteContext> {
  const request = toFetchRequest(req, deps.config.publicUrl);
  const meta = requestMeta(deps, request, { req });
  let principal: Principal = anonymous;
  try {
    // Only the session cookie matters here; a bad bearer header simply means "not signed in".
    const cookieOnly = new Headers();
    const cookie = request.headers.get('cookie');
    if (cookie) cookieOnly.set('cookie', cookie);
    principal = (await authenticateRequest(deps, cookieOnly)).principal;
  } catch {
    principal = anonymous;
  }
  const cookies: string[] = [];
  const ctx = contextFor(deps, principal, meta, cookies);
  return { ctx, cookies, request };
}
