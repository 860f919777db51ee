// Who is calling. Every request resolves to exactly one principal before execution starts.

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; via: 'session'; userId: string; sessionId: string }
  | { kind: 'user'; via: 'token'; userId: string; tokenId: string; readOnly: boolean }
  /** An ingest key: may write spans into its one project and read nothing. */
  | { kind: 'ingestKey'; apiKeyId: string; projectId: string };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export const anonymous: Principal = { kind: 'anonymous' };

export function isUser(p: Principal): p is UserPrincipal {
  return p.kind === 'user';
}

/** A human-readable, non-secret label for logs and audit entries. */
export function describePrincipal(p: Principal): { type: string; id: string | null } {
  switch (p.kind) {
    case 'anonymous':
      return { type: 'anonymous', id: null };
    case 'ingestKey':
      return { type: 'api_key', id: p.apiKeyId };
    case 'user':
      return p.via === 'token' ? { type: 'token', id: p.tokenId } : { type: 'user', id: p.userId };
  }
}
