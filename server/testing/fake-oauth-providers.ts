import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

// Local stand-ins for GitHub (OAuth 2.0 + REST API, laid out like GitHub Enterprise Server so
// the /api/v3 derivation is exercised) and Google (OpenID Connect: discovery, JWKS, authorize,
// token, userinfo), on 127.0.0.1:0. They check what the real ones check — client secret,
// redirect URI, PKCE S256 and single-use codes — so the tests run the real flow end to end.

export interface FakeUser {
  id: string;
  email: string;
  verified: boolean;
  name: string;
}

interface IssuedCode {
  user: FakeUser;
  challenge: string;
  redirectUri: string;
  nonce: string | null;
  used: boolean;
}

export interface FakeProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Who "signs in" at the next authorize request. */
  user: FakeUser;
  close(): Promise<void>;
}

export interface FakeGoogle extends FakeProvider {
  /** How the next ID token is spoiled, if at all. */
  idTokenFault: 'none' | 'bad_signature' | 'wrong_audience' | 'wrong_nonce';
}

export function fakeUser(overrides: Partial<FakeUser> = {}): FakeUser {
  const id = String(100000 + Math.floor(Math.random() * 900000));
  return { id, email: `oauth-${randomBytes(5).toString('hex')}@example.com`, verified: true, name: 'Octo Cat', ...overrides };
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Client credentials from HTTP Basic or the form body (openid-client uses the body by default). */
function clientOf(req: IncomingMessage, form: URLSearchParams): { id: string | null; secret: string | null } {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent);
    return { id: id ?? null, secret: secret ?? null };
  }
  return { id: form.get('client_id'), secret: form.get('client_secret') };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closer = (server: Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function authorize(url: URL, codes: Map<string, IssuedCode>, clientId: string, user: FakeUser, res: ServerResponse): void {
  const redirectUri = url.searchParams.get('redirect_uri') ?? '';
  if (url.searchParams.get('client_id') !== clientId) return json(res, 400, { error: 'unknown client' });
  if (url.searchParams.get('code_challenge_method') !== 'S256') return json(res, 400, { error: 'PKCE S256 required' });
  const code = randomBytes(16).toString('hex');
  codes.set(code, { user: { ...user }, challenge: url.searchParams.get('code_challenge') ?? '', redirectUri, nonce: url.searchParams.get('nonce'), used: false });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  back.searchParams.set('state', url.searchParams.get('state') ?? '');
  res.writeHead(302, { location: back.href }).end();
}

/** Takes a code once; undefined (and the code burnt) on any mismatch. */
function redeem(codes: Map<string, IssuedCode>, form: URLSearchParams): IssuedCode | undefined {
  const issued = codes.get(form.get('code') ?? '');
  if (!issued || issued.used) return undefined;
  issued.used = true;
  if (issued.redirectUri !== form.get('redirect_uri')) return undefined;
  if (s256(form.get('code_verifier') ?? '') !== issued.challenge) return undefined;
  return issued;
}

export async function startFakeGitHub(): Promise<FakeProvider> {
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, FakeUser>();
  const fake = { clientId: 'gh-client', clientSecret: `gh-secret-${randomBytes(6).toString('hex')}`, user: fakeUser() } as FakeProvider;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/login/oauth/authorize') return authorize(url, codes, fake.clientId, fake.user, res);
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = await readForm(req);
      const c = clientOf(req, form);
      if (c.id !== fake.clientId || c.secret !== fake.clientSecret) return json(res, 401, { error: 'incorrect_client_credentials' });
      const issued = redeem(codes, form);
      // Like GitHub: a bad or reused code is a 200 with an error body.
      if (!issued) return json(res, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, issued.user);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (url.pathname === '/api/v3/user') {
      return user ? json(res, 200, { id: Number(user.id), login: 'octocat', name: user.name }) : json(res, 401, { message: 'Bad credentials' });
    }
    if (url.pathname === '/api/v3/user/emails') {
      if (!user) return json(res, 401, { message: 'Bad credentials' });
      return json(res, 200, [
        { email: `${user.id}+secondary@users.noreply.example.com`, primary: false, verified: true },
        { email: user.email, primary: true, verified: user.verified },
      ]);
    }
    json(res, 404, { message: 'Not Found' });
  });
  fake.url = await listen(server);
  fake.close = closer(server);
  return fake;
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, FakeUser>();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const impostor = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const fake = { clientId: 'google-client', clientSecret: `g-secret-${randomBytes(6).toString('hex')}`, user: fakeUser(), idTokenFault: 'none' } as FakeGoogle;

  const idToken = (issued: IssuedCode): Promise<string> => {
    const fault = fake.idTokenFault;
    const key: CryptoKey = fault === 'bad_signature' ? impostor.privateKey : privateKey;
    return new SignJWT({
      email: issued.user.email,
      email_verified: issued.user.verified,
      name: issued.user.name,
      ...(issued.nonce ? { nonce: fault === 'wrong_nonce' ? 'someone-elses-nonce' : issued.nonce } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(fake.url)
      .setSubject(issued.user.id)
      .setAudience(fault === 'wrong_audience' ? 'another-client' : fake.clientId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: fake.url,
        authorization_endpoint: `${fake.url}/authorize`,
        token_endpoint: `${fake.url}/token`,
        userinfo_endpoint: `${fake.url}/userinfo`,
        jwks_uri: `${fake.url}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') return authorize(url, codes, fake.clientId, fake.user, res);
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = await readForm(req);
      const c = clientOf(req, form);
      if (c.id !== fake.clientId || c.secret !== fake.clientSecret) return json(res, 401, { error: 'invalid_client' });
      const issued = redeem(codes, form);
      if (!issued) return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
      const token = `ya29.${randomBytes(16).toString('hex')}`;
      tokens.set(token, issued.user);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3599, scope: 'openid email profile', id_token: await idToken(issued) });
    }
    if (url.pathname === '/userinfo') {
      const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!user) return json(res, 401, { error: 'invalid_token' });
      return json(res, 200, { sub: user.id, email: user.email, email_verified: user.verified, name: user.name });
    }
    json(res, 404, { error: 'not found' });
  });
  fake.url = await listen(server);
  fake.close = closer(server);
  return fake;
}
