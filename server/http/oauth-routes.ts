import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as client from 'openid-client';
import { RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { App } from '../app';
import { localRateLimiter } from '../cluster/local-rate-limiter';
import { isOAuthProviderId } from '../model/oauth-providers';
import { createOAuthClients, type OAuthProviderClient } from '../auth/oauth-providers';
import type { Config } from '../config';
import type { AppDeps } from '../context';
import { insertOAuthFlow, takeOAuthFlow } from '../db/repositories/oauth-accounts';
import { completeOAuth, OAuthRefusal, type OAuthErrorCode } from '../services/oauth-sign-in';
import { createRouteContext } from './route-context';

// GET /auth/:provider/start[?returnTo=/path][&link=1] and GET /auth/:provider/callback.
// The flow's secrets (PKCE verifier, nonce) stay in the oauth_flows table (see the migration
// 20261129000300_oauth_flows for why not a cookie); the browser holds only the random state,
// in a cookie scoped to the callback path, which ties the callback to the browser that started.

const FLOW_TTL_MS = 10 * 60_000;
const STATE_COOKIE = 'tt_oauth_state';
const ROUTE = /^\/auth\/([a-z]+)\/(start|callback)$/;

const clientsByConfig = new WeakMap<Config, ReturnType<typeof createOAuthClients>>();
function providerClient(config: Config, id: string): OAuthProviderClient | undefined {
  if (!isOAuthProviderId(id)) return undefined;
  let clients = clientsByConfig.get(config);
  if (!clients) {
    clients = createOAuthClients(config);
    clientsByConfig.set(config, clients);
  }
  return clients[id];
}

// Each start writes a row: bound how fast one address can add them (a browser needs a few).
// With Redis the count is shared by every instance, as the rows are.
const STARTS_PER_IP_PER_MINUTE = 30;
const startLimiters = new WeakMap<Config, RateLimiterAbstract>();
async function allowStart(deps: AppDeps, ip: string | null): Promise<boolean> {
  let limiter = startLimiters.get(deps.config);
  if (!limiter) {
    const options = { keyPrefix: 'oauth-start', points: STARTS_PER_IP_PER_MINUTE, duration: 60 };
    limiter = deps.redis ? new RateLimiterRedis({ ...options, storeClient: deps.redis }) : localRateLimiter(options);
    startLimiters.set(deps.config, limiter);
  }
  try {
    await limiter.consume(ip ?? 'unknown');
    return true;
  } catch (err) {
    // A spent budget rejects with a RateLimiterRes; a failing store (Redis down) with an Error,
    // which is an outage to log, not a rate limit to report.
    if (err instanceof RateLimiterRes) return false;
    throw err;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Only a path on this site: no scheme, no `//host`, no backslash tricks; `/` otherwise. */
export function safeReturnTo(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f]/.test(value)) return '/';
  const base = 'http://tokentrace.invalid';
  const url = new URL(value, base);
  if (url.origin !== base) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

function stateCookie(provider: string, value: string, maxAge: number, secure: boolean): string {
  const parts = [`${STATE_COOKIE}=${value}`, `Path=/auth/${provider}/callback`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), 'hex');
  const y = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(x, y);
}

function redirect(res: ServerResponse, location: string, cookies: string[]): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) }).end();
}

const failure = (code: OAuthErrorCode) => `/signin?error=${code}`;

/** Handles the request when it is an OAuth route; false otherwise. */
export async function handleOAuthRoute(app: App, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const match = ROUTE.exec(path);
  if (!match || req.method !== 'GET') return false;
  const [, providerId = '', step] = match;
  const { deps } = app;
  const { ctx, cookies, request } = await createRouteContext(deps, req);
  const provider = providerClient(deps.config, providerId);
  if (!provider) {
    redirect(res, failure('oauth_unavailable'), []);
    return true;
  }
  const redirectUri = `${deps.config.publicUrl}/auth/${provider.id}/callback`;
  const query = new URL(request.url).searchParams;
  try {
    if (step === 'start') {
      const link = query.get('link') === '1';
      const p = ctx.principal;
      if (link && (p.kind !== 'user' || p.via !== 'session')) throw new OAuthRefusal('oauth_link_requires_session', 'not signed in');
      if (!(await allowStart(deps, ctx.meta.ip))) throw new OAuthRefusal('oauth_rate_limited', 'too many starts');
      const state = client.randomState();
      const codeVerifier = client.randomPKCECodeVerifier();
      const nonce = provider.usesNonce ? client.randomNonce() : null;
      let url: URL;
      try {
        url = await provider.authorizationUrl({
          redirectUri,
          state,
          nonce,
          codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
        });
      } catch (err) {
        deps.logger.warn({ provider: provider.id, err: describe(err) }, 'oauth provider unreachable');
        throw new OAuthRefusal('oauth_unavailable', 'discovery failed');
      }
      await insertOAuthFlow(deps.db, {
        stateHash: sha256(state),
        provider: provider.id,
        codeVerifier,
        nonce,
        mode: link ? 'link' : 'sign_in',
        returnTo: safeReturnTo(query.get('returnTo')),
        userId: link && p.kind === 'user' ? p.userId : null,
        expiresAt: new Date(Date.now() + FLOW_TTL_MS),
      });
      redirect(res, url.href, [stateCookie(provider.id, state, FLOW_TTL_MS / 1000, ctx.meta.secure)]);
      return true;
    }

    // The callback: the state cookie is spent whatever happens next.
    cookies.push(stateCookie(provider.id, '', 0, ctx.meta.secure));
    const state = query.get('state') ?? '';
    const cookieState = readCookie(request.headers.get('cookie'), STATE_COOKIE) ?? '';
    if (!state || !cookieState || !sameText(state, cookieState)) throw new OAuthRefusal('oauth_state_mismatch', 'state mismatch');
    const flow = await takeOAuthFlow(deps.db, sha256(state));
    if (!flow || flow.provider !== provider.id) throw new OAuthRefusal('oauth_state_mismatch', 'unknown or used state');
    if (flow.expires_at.getTime() <= Date.now()) throw new OAuthRefusal('oauth_expired', 'flow expired');
    if (query.has('error')) throw new OAuthRefusal('oauth_denied', 'provider returned an error');

    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = query.toString();
    let profile;
    try {
      profile = await provider.complete(callbackUrl, { state, codeVerifier: flow.code_verifier, nonce: flow.nonce });
    } catch (err) {
      deps.logger.warn({ provider: provider.id, err: describe(err) }, 'oauth callback refused');
      throw new OAuthRefusal('oauth_failed', 'exchange or verification failed');
    }
    await completeOAuth(ctx, { mode: flow.mode === 'link' ? 'link' : 'sign_in', userId: flow.user_id }, profile);
    redirect(res, flow.return_to, cookies);
    return true;
  } catch (err) {
    if (!(err instanceof OAuthRefusal)) {
      deps.logger.error({ provider: provider.id, err: describe(err) }, 'oauth route failed');
    } else {
      deps.logger.info({ provider: provider.id, step, code: err.code, ip: ctx.meta.ip }, 'oauth sign-in refused');
    }
    redirect(res, failure(err instanceof OAuthRefusal ? err.code : 'oauth_failed'), cookies);
    return true;
  }
}

/** Name, code and message only: library errors can carry responses, which may hold tokens. */
function describe(err: unknown): { name?: string; code?: unknown; message: string } {
  if (!(err instanceof Error)) return { message: String(err) };
  return { name: err.name, code: (err as { code?: unknown }).code, message: err.message.slice(0, 300) };
}
