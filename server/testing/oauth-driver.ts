import { listenOnLoopback } from './listen-on-loopback';
import { createTestApp, TestClient, type TestApp } from './test-app';

// Drives a browser's part of an OAuth sign-in with fetch against the app on a real port:
// start → provider's authorize → callback, following each redirect by hand, keeping cookies.

export interface ListeningApp {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

export async function listeningApp(env: Record<string, string>): Promise<ListeningApp> {
  const t = await createTestApp(env);
  const server = await listenOnLoopback(t.app);
  return {
    t,
    base: server.base,
    close: async () => {
      await server.close();
      await t.close();
    },
  };
}

/** name=value pairs from Set-Cookie headers; a Max-Age=0 cookie is dropped. */
export function cookiesFrom(res: Response, jar: Map<string, string> = new Map()): Map<string, string> {
  for (const header of res.headers.getSetCookie()) {
    const [pair = ''] = header.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    if (/Max-Age=0\b/i.test(header)) jar.delete(name);
    else jar.set(name, pair.slice(eq + 1));
  }
  return jar;
}

export const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

export interface FlowResult {
  /** Where the callback sent the browser. */
  location: string;
  jar: Map<string, string>;
  /** The callback URL the provider sent the browser to (on this app's port). */
  callbackUrl: string;
  /** A GraphQL client carrying the session cookie, if one was set. */
  client: TestClient | undefined;
}

export interface FlowOptions {
  query?: string;
  jar?: Map<string, string>;
  /** Change the callback URL before it is followed (a forged state, a replayed code). */
  tamper?: (callback: URL) => void;
}

export async function startFlow(app: ListeningApp, provider: string, opts: FlowOptions = {}) {
  const jar = new Map(opts.jar ?? []);
  const start = await fetch(`${app.base}/auth/${provider}/start${opts.query ?? ''}`, {
    redirect: 'manual',
    headers: { cookie: cookieHeader(jar) },
  });
  cookiesFrom(start, jar);
  return { start, jar, authorizeUrl: start.headers.get('location') ?? '' };
}

/** Start and the provider's authorize step: the callback URL to follow, and the browser's cookies. */
export async function prepareCallback(app: ListeningApp, provider: string, opts: FlowOptions = {}) {
  const { jar, authorizeUrl } = await startFlow(app, provider, opts);
  if (!authorizeUrl.startsWith('http')) throw new Error(`start did not go to the provider: ${authorizeUrl}`);
  const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
  const back = new URL(authorize.headers.get('location') ?? '');
  // The provider redirects to TOKENTRACE_PUBLIC_URL; the app really listens on `base`.
  const callback = new URL(`${back.pathname}${back.search}`, app.base);
  opts.tamper?.(callback);
  return { callbackUrl: callback.href, jar };
}

export async function runFlow(app: ListeningApp, provider: string, opts: FlowOptions = {}): Promise<FlowResult> {
  const { callbackUrl, jar } = await prepareCallback(app, provider, opts);
  return followCallback(app, callbackUrl, jar);
}

export async function followCallback(app: ListeningApp, callbackUrl: string, jarIn: Map<string, string>): Promise<FlowResult> {
  const jar = new Map(jarIn);
  const res = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
  cookiesFrom(res, jar);
  const session = jar.get('tt_session');
  let client: TestClient | undefined;
  if (session) {
    client = new TestClient(app.t.app);
    client.cookie = `tt_session=${session}`;
  }
  return { location: res.headers.get('location') ?? '', jar, callbackUrl, client };
}
