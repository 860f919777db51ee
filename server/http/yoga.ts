import type { IncomingMessage } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { schema } from '../../schema/index';
import { authenticateRequest } from '../auth/authenticate';
import { serializeSessionCookie } from '../auth/session-cookie';
import type { Principal } from '../auth/principal';
import type { AppDeps, RequestContext, RequestMeta } from '../context';
import { findMembershipsOfUser, isAdminOfSharedProject, findProjectById } from '../db/repositories/projects';
import type { RoleName } from '../db/tables';
import { AppError } from '../errors';
import { isUuid, parseProjectSettings, toProjectModel } from '../services/projects';
import type { ProjectSettings } from '../services/models';
import { earlyAuthenticationOf } from './early-authentication';
import { createMaskError, httpErrorResponse } from './errors';
import { checkCsrf } from './csrf';
import { useLocalGraphiQL } from './graphiql';
import { useGraphqlJsForMutations } from './use-graphql-js-for-mutations';
import { MemoSlot, RequestMemo } from '../request-memo';
import DataLoader from 'dataloader';

export interface ServerContext {
  req?: IncomingMessage;
}

export type TokentraceYoga = YogaServerInstance<ServerContext, RequestContext>;

// Set-Cookie headers queued while a request runs, keyed by the request (no globals).
const pendingCookies = new WeakMap<Request, string[]>();

export function requestMeta(deps: AppDeps, request: Request, serverContext: ServerContext): RequestMeta {
  const forwardedFor = request.headers.get('x-forwarded-for');
  const socketIp = serverContext.req?.socket?.remoteAddress ?? null;
  // The right-most entry is the one our own proxy appended; anything left of it was written
  // by the client and could be forged (a fresh per-IP sign-in budget on every request).
  const ip = deps.config.trustProxy && forwardedFor ? (forwardedFor.split(',').at(-1)?.trim() || socketIp) : socketIp;
  // A proxy that terminates TLS (TOKENTRACE_TLS_TERMINATED_BY_PROXY) is trusted to say so.
  const secure =
    deps.config.tls !== undefined ||
    ((deps.config.trustProxy || deps.config.tlsTerminatedByProxy) &&
      request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https');
  return { ip, userAgent: request.headers.get('user-agent'), secure };
}

async function buildContext(deps: AppDeps, request: Request, serverContext: ServerContext): Promise<RequestContext> {
  const meta = requestMeta(deps, request, serverContext);
  // A large ingest request was authenticated as its body was read (early-authentication.ts).
  const auth = earlyAuthenticationOf(serverContext.req, request.headers.get('authorization')) ?? (await authenticateRequest(deps, request.headers));
  if (!request.headers.has('authorization')) checkCsrf(request, deps.config.publicUrl);

  const cookies: string[] = [];
  pendingCookies.set(request, cookies);
  if (auth.refreshedSession) {
    cookies.push(serializeSessionCookie(auth.refreshedSession.token, auth.refreshedSession.expiresAt, meta.secure));
  }
  const memo = new RequestMemo();
  if (auth.principal.kind === 'ingestKey' && auth.ingestProjectSettings !== undefined) {
    SETTINGS.set(memo, auth.principal.projectId, parseProjectSettings(auth.ingestProjectSettings));
  }
  return contextFor(deps, auth.principal, meta, cookies, memo);
}

// What a request remembers of the caller's standing, by project or user id.
const SETTINGS = new MemoSlot<string, ProjectSettings | null>();
const ADMIN_OF_USER = new MemoSlot<string, boolean>();

/**
 * The request context for a principal: GraphQL requests and the plain HTTP routes (OAuth) build
 * it the same way. Membership, settings and admin checks are loaded once per request (`memo`).
 */
export function contextFor(
  deps: AppDeps,
  principal: Principal,
  meta: RequestMeta,
  cookies: string[],
  memo = new RequestMemo(),
): RequestContext {
  let signedInUserId: string | null = null;
  // The caller's role in every project a response checks, in one query: a list of 50 projects
  // asks roleIn for each (scope checks run before resolvers), and batching them also keeps the
  // resolvers' own loaders (Project.apiKeys) in one batch.
  const roles = new DataLoader<string, RoleName | null>(async (projectIds) => {
    if (principal.kind !== 'user') return projectIds.map(() => null);
    const rows = await findMembershipsOfUser(deps.db, principal.userId, projectIds);
    const byProject = new Map(rows.map((r) => [r.project_id, r.role]));
    return projectIds.map((id) => byProject.get(id) ?? null);
  });
  return {
    deps,
    principal,
    actingUserId: () => signedInUserId ?? (principal.kind === 'user' ? principal.userId : null),
    setSignedInUser: (userId) => {
      signedInUserId = userId;
    },
    meta,
    memo,
    // The loader remembers each project for the request; no memo slot on top of it.
    roleIn: (projectId) => (principal.kind !== 'user' || !isUuid(projectId) ? Promise.resolve(null) : roles.load(projectId)),
    projectSettings: (projectId) =>
      SETTINGS.get(memo, projectId, async () => {
        if (!isUuid(projectId)) return null;
        const row = await findProjectById(deps.db, projectId);
        return row ? toProjectModel(row).settings : null;
      }),
    isAdminOfUser: (userId) =>
      ADMIN_OF_USER.get(memo, userId, async () =>
        principal.kind === 'user' && isUuid(userId) ? isAdminOfSharedProject(deps.db, principal.userId, userId) : false,
      ),
    setCookie: (header) => cookies.push(header),
  };
}

function useTokentraceRequestPolicy(deps: AppDeps): Plugin<RequestContext, ServerContext> {
  return {
    onRequest({ request, endResponse }) {
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > deps.config.ingest.maxBodyBytes) {
        endResponse(
          httpErrorResponse(
            new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${deps.config.ingest.maxBodyBytes} bytes.`),
          ),
        );
      }
    },
    onValidate({ addValidationRule }) {
      if (deps.config.env === 'production') addValidationRule(NoSchemaIntrospectionCustomRule);
    },
    onResponse({ request, response }) {
      for (const cookie of pendingCookies.get(request) ?? []) response.headers.append('set-cookie', cookie);
      // Answers carry private data (traces, members, audit entries, keys' secrets once): no
      // browser, proxy or CDN may keep a copy. Errors and event streams too, for simplicity.
      // GraphiQL's own assets (server/http/graphiql.ts) are public and versioned: they keep theirs.
      if (!response.headers.get('cache-control')?.includes('immutable')) response.headers.set('cache-control', 'no-store');
    },
  };
}

/**
 * Loads Node's fetch API (Request, Response, … : undici, ≈ 0.1 s on a 2-core machine), which Node
 * loads the first time one of those globals is read and yoga's server adapter reads when created.
 * The start calls it while the database opens, when this thread has nothing else to do.
 */
export function loadFetchApi(): void {
  void globalThis.Response;
}

export function createTokentraceYoga(deps: AppDeps, extraPlugins: Plugin<RequestContext, ServerContext>[] = []): TokentraceYoga {
  const production = deps.config.env === 'production';
  return createYoga<ServerContext, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    batching: false,
    // GraphiQL from our own assets (graphiql.ts), never yoga's CDN page.
    graphiql: false,
    landingPage: false,
    // Only the dashboard's own origin may call with credentials from a browser.
    cors: { origin: new URL(deps.config.publicUrl).origin, credentials: true },
    logging: false,
    maskedErrors: { maskError: createMaskError(deps.logger) },
    context: ({ request, ...serverContext }) => buildContext(deps, request, serverContext as ServerContext),
    plugins: [
      useTokentraceRequestPolicy(deps),
      useGraphqlJsForMutations(),
      ...(production ? [] : [useLocalGraphiQL() as Plugin<RequestContext, ServerContext>]),
      EnvelopArmorPlugin({
        // The dashboard's deepest read (project → traces → edges → node → spans → redactions → rule) is 7.
        maxDepth: { n: 8, exposeLimits: !production },
        costLimit: { maxCost: 5000, exposeLimits: !production },
        maxAliases: { n: 15, exposeLimits: !production },
        maxTokens: { n: 1000, exposeLimits: !production },
        maxDirectives: { n: 50, exposeLimits: !production },
        blockFieldSuggestion: { enabled: production },
      }) as Plugin<RequestContext, ServerContext>,
      ...extraPlugins,
    ],
  });
}
