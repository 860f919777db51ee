import * as client from 'openid-client';
import type { Config, GitHubOAuthConfig, GoogleOAuthConfig } from '../config';
import type { OAuthProviderId } from '../model/oauth-providers';

// The two providers behind one interface, both through openid-client: authorization code
// flow with state and PKCE (S256). Google is OpenID Connect: its endpoints come from discovery
// at GOOGLE_ISSUER, and the ID token's signature, issuer, audience, expiry and nonce are
// checked. GitHub is plain OAuth 2.0: its endpoints are fixed paths under GITHUB_BASE_URL
// (github.com or an Enterprise Server), and the user comes from its REST API.

export interface OAuthProfile {
  provider: OAuthProviderId;
  /** The provider's stable id for the account (GitHub's numeric id, Google's `sub`). */
  accountId: string;
  email: string | null;
  /** GitHub: the primary address is verified; Google: `email_verified`. */
  emailVerified: boolean;
  name: string | null;
}

export interface FlowChecks {
  state: string;
  codeVerifier: string;
  nonce: string | null;
}

export interface OAuthProviderClient {
  readonly id: OAuthProviderId;
  /** Whether ID tokens are involved (and so a nonce must be sent). */
  readonly usesNonce: boolean;
  authorizationUrl(params: { redirectUri: string; state: string; codeChallenge: string; nonce: string | null }): Promise<URL>;
  /** Exchanges the code from the callback URL and reads the user; throws on any failed check. */
  complete(callbackUrl: URL, checks: FlowChecks): Promise<OAuthProfile>;
}

const HTTP_TIMEOUT_MS = 10_000;

/**
 * openid-client refuses plain-HTTP endpoints. Loopback is let through for local identity
 * providers in development and the fakes the tests start; anything else must be HTTPS.
 */
function allowsInsecure(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
}

function githubClient(cfg: GitHubOAuthConfig): OAuthProviderClient {
  const server: client.ServerMetadata = {
    issuer: cfg.baseUrl,
    authorization_endpoint: `${cfg.baseUrl}/login/oauth/authorize`,
    token_endpoint: `${cfg.baseUrl}/login/oauth/access_token`,
  };
  const config = new client.Configuration(server, cfg.clientId, cfg.clientSecret);
  if (allowsInsecure(cfg.baseUrl)) client.allowInsecureRequests(config);
  config.timeout = HTTP_TIMEOUT_MS / 1000;

  const api = async <T>(path: string, accessToken: string): Promise<T> => {
    const res = await fetch(`${cfg.apiBaseUrl}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'tokentrace',
      },
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`GitHub API ${path} answered ${res.status}`);
    return (await res.json()) as T;
  };

  return {
    id: 'github',
    usesNonce: false,
    async authorizationUrl({ redirectUri, state, codeChallenge }) {
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'read:user user:email',
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        allow_signup: 'true',
      });
    },
    async complete(callbackUrl, checks) {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        pkceCodeVerifier: checks.codeVerifier,
      });
      const user = await api<{ id: number | string; login?: string; name?: string | null }>('/user', tokens.access_token);
      const emails = await api<{ email: string; primary: boolean; verified: boolean }[]>('/user/emails', tokens.access_token);
      // Only the primary address counts, and only when GitHub has verified it.
      const primary = Array.isArray(emails) ? emails.find((e) => e.primary) : undefined;
      if (user.id === undefined || user.id === null || String(user.id) === '') throw new Error('GitHub returned no user id');
      return {
        provider: 'github',
        accountId: String(user.id),
        email: primary?.email ?? null,
        emailVerified: primary?.verified === true,
        name: user.name || user.login || null,
      };
    },
  };
}

function googleClient(cfg: GoogleOAuthConfig): OAuthProviderClient {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(cfg.issuer),
        cfg.clientId,
        cfg.clientSecret,
        undefined,
        allowsInsecure(cfg.issuer) ? { execute: [client.allowInsecureRequests], timeout: HTTP_TIMEOUT_MS / 1000 } : { timeout: HTTP_TIMEOUT_MS / 1000 },
      )
      .then((config) => {
        // Without this, openid-client trusts an ID token from the token endpoint on the
        // strength of TLS alone; we check its signature against the issuer's JWKS too.
        client.enableNonRepudiationChecks(config);
        return config;
      })
      .catch((err: unknown) => {
        discovered = undefined; // try discovery again on the next sign-in
        throw err;
      });
    return discovered;
  };

  return {
    id: 'google',
    usesNonce: true,
    async authorizationUrl({ redirectUri, state, codeChallenge, nonce }) {
      return client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        nonce: nonce ?? '',
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
    },
    async complete(callbackUrl, checks) {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        pkceCodeVerifier: checks.codeVerifier,
        expectedNonce: checks.nonce ?? undefined,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('no ID token');
      // The userinfo endpoint must describe the same subject as the checked ID token.
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      const email = (typeof claims.email === 'string' ? claims.email : undefined) ?? (typeof info.email === 'string' ? info.email : null);
      const verified = claims.email_verified ?? info.email_verified;
      const name = typeof info.name === 'string' ? info.name : typeof claims.name === 'string' ? claims.name : null;
      return { provider: 'google', accountId: claims.sub, email, emailVerified: verified === true, name };
    },
  };
}

/** The configured providers' clients, built once per app. */
export function createOAuthClients(config: Config): Partial<Record<OAuthProviderId, OAuthProviderClient>> {
  return {
    ...(config.oauth.github ? { github: githubClient(config.oauth.github) } : {}),
    ...(config.oauth.google ? { google: googleClient(config.oauth.google) } : {}),
  };
}
