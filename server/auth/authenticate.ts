import { findApiKeyByLookupId, findPersonalAccessTokenByLookupId, updateApiKey, touchPersonalAccessToken } from '../db/repositories/credentials';
import { findLiveSessionByTokenHash, touchSession } from '../db/repositories/sessions';
import type { AppDeps } from '../context';
import { unauthenticated } from '../errors';
import { credentialMatches, hashCredential, parseCredential } from './secrets';
import { anonymous, type Principal } from './principal';
import { readSessionCookie } from './session-cookie';
import { sessionExpiry, sessionOutlived } from './session-lifetime';

// lastUsedAt is bookkeeping, not security: write it at most once a minute per credential.
const LAST_USED_RESOLUTION_MS = 60_000;
// Sliding sessions: extend on use (up to their absolute lifetime), but write at most every few minutes.
const SESSION_TOUCH_MS = 5 * 60_000;

export interface Authentication {
  principal: Principal;
  /** For an ingest key: its project's stored settings, read with the key. */
  ingestProjectSettings?: unknown;
  /** The session was extended: the cookie should be re-sent with the new expiry. */
  refreshedSession?: { token: string; expiresAt: Date };
}

/**
 * A bearer credential wins over a cookie. A credential that is present but not valid is an
 * error (UNAUTHENTICATED), never a silent fall-back to anonymous.
 */
export async function authenticateRequest(deps: AppDeps, headers: Headers, now = new Date()): Promise<Authentication> {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <key or token>".');
    return authenticateBearer(deps, match[1]!, now);
  }
  const sessionToken = readSessionCookie(headers.get('cookie'));
  if (sessionToken) return authenticateSession(deps, sessionToken, now);
  return { principal: anonymous };
}

async function authenticateBearer(deps: AppDeps, secret: string, now: Date): Promise<Authentication> {
  const parsed = parseCredential(secret);
  if (!parsed) throw unauthenticated('The bearer credential is not a tokentrace key or token.');
  const invalid = () => unauthenticated('The key or token is invalid, expired or revoked.');

  if (parsed.kind === 'ttk') {
    const key = await findApiKeyByLookupId(deps.db, parsed.lookupId);
    if (!key || !credentialMatches(secret, key.secret_hash)) throw invalid();
    if (key.revoked_at || (key.expires_at && key.expires_at <= now)) throw invalid();
    if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
      void updateApiKey(deps.db, key.id, { last_used_at: now }).catch((err) =>
        deps.logger.warn({ err: String(err), apiKeyId: key.id }, 'could not record key use'),
      );
    }
    return {
      principal: { kind: 'ingestKey', apiKeyId: key.id, projectId: key.project_id },
      ingestProjectSettings: key.project_settings,
    };
  }

  const token = await findPersonalAccessTokenByLookupId(deps.db, parsed.lookupId);
  if (!token || !credentialMatches(secret, token.secret_hash)) throw invalid();
  if (token.revoked_at || (token.expires_at && token.expires_at <= now)) throw invalid();
  if (!token.last_used_at || now.getTime() - token.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    void touchPersonalAccessToken(deps.db, token.id, now).catch((err) =>
      deps.logger.warn({ err: String(err), tokenId: token.id }, 'could not record token use'),
    );
  }
  return { principal: { kind: 'user', via: 'token', userId: token.user_id, tokenId: token.id, readOnly: token.read_only } };
}

async function authenticateSession(deps: AppDeps, token: string, now: Date): Promise<Authentication> {
  const session = await findLiveSessionByTokenHash(deps.db, hashCredential(token), now);
  // A stale cookie is not an error: the browser simply is not signed in any more. The lifetime
  // is checked here too, for sessions whose stored expiry predates it (or a shorter setting).
  if (!session || sessionOutlived(session.created_at, now, deps.config)) return { principal: anonymous };
  const principal: Principal = { kind: 'user', via: 'session', userId: session.user_id, sessionId: session.id };
  if (now.getTime() - session.last_seen_at.getTime() < SESSION_TOUCH_MS) return { principal };
  const expiresAt = sessionExpiry(session.created_at, now, deps.config);
  await touchSession(deps.db, session.id, now, expiresAt);
  return { principal, refreshedSession: { token, expiresAt } };
}
