import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { RequestContext } from '../server/context';
import type { RoleName } from '../server/model/roles';
import { AppError } from '../server/errors';
import { mayReadContent } from '../server/services/content-access';
import { hasRole } from '../server/services/models';
import { BigIntScalar, DateTimeScalar, JSONScalar, SpanTimeScalar } from './scalars';

// Who may see what is written on the schema: every root field and object type names its
// scopes, and schema/auth-coverage.test.ts fails when one does not.

export interface Scopes {
  /** Anyone but an ingest key: anonymous visitors and signed-in users. */
  human: boolean;
  /** A signed-in user, through a session or a personal access token. */
  user: boolean;
  /** A user who may change things: a session, or a token that is not read-only. */
  writer: boolean;
  /** A user signed in through a browser session (not a token). */
  session: boolean;
  /** An ingest key (write-only, one project). */
  ingestKey: boolean;
  projectViewer: string;
  projectAdmin: string;
  projectOwner: string;
  /**
   * May read content in the project — span input, output, statusMessage and metadata, trace
   * metadata: VIEWER+, or ADMIN+ when content is ADMINS_ONLY.
   */
  contentReader: string;
  /** The caller is this user (or just signed in as this user in this request). */
  self: string;
  /** The caller is ADMIN+ of some project this user belongs to. */
  adminOfUser: string;
}

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  AuthScopes: Scopes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    SpanTime: { Input: unknown; Output: Date | string };
    ID: { Input: string; Output: string };
    BigInt: { Input: bigint | number; Output: bigint | number | string };
  };
}>({
  // Scope-auth first, so a refused field never reaches a loader.
  plugins: [ScopeAuthPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are checked when they start, not only per event.
    authorizeOnSubscribe: true,
    // A scope loader that fails (e.g. the database is down) must not read as "allowed".
    treatErrorsAsUnauthorized: true,
    unauthorizedError: (_parent, ctx, _info, result) =>
      ctx.principal.kind === 'anonymous'
        ? new AppError('UNAUTHENTICATED', 'Sign in or send a valid token.')
        : new AppError('FORBIDDEN', result.message || 'You are not allowed to do this.'),
    authScopes: async (ctx) => {
      const p = ctx.principal;
      const role = (projectId: string, need: RoleName) => ctx.roleIn(projectId).then((r) => hasRole(r, need));
      return {
        human: p.kind !== 'ingestKey',
        user: p.kind === 'user',
        writer: p.kind === 'user' && !(p.via === 'token' && p.readOnly),
        session: p.kind === 'user' && p.via === 'session',
        ingestKey: p.kind === 'ingestKey',
        projectViewer: (projectId) => role(projectId, 'VIEWER'),
        projectAdmin: (projectId) => role(projectId, 'ADMIN'),
        projectOwner: (projectId) => role(projectId, 'OWNER'),
        contentReader: (projectId) => mayReadContent(ctx, projectId),
        self: (userId) => ctx.actingUserId() === userId,
        adminOfUser: (userId) => p.kind === 'user' && ctx.isAdminOfUser(userId),
      };
    },
  },
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONScalar);
builder.addScalarType('SpanTime', SpanTimeScalar);
builder.addScalarType('BigInt', BigIntScalar);
