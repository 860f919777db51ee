import { configuredProviders, type AuthProviderModel } from '../../server/model/oauth-providers';
import { listLinkedAccounts, unlinkAuthProvider, type LinkedAccountModel } from '../../server/services/oauth-accounts';
import {
  changePassword,
  listSessions,
  revokeOtherSessions,
  revokeSession,
  userHasPassword,
  type SessionModel,
} from '../../server/services/sessions';
import { OAUTH_ERROR_MESSAGES } from '../../server/services/oauth-sign-in';
import { builder } from '../builder';
import { UserRef } from './user';

// Sign-in methods and browser sessions. Changing them needs a browser session: a personal
// access token must not be able to set a password or drop a provider and so take the account.

const AuthProviderRef = builder.objectRef<AuthProviderModel>('AuthProvider').implement({
  description: 'A configured sign-in provider; the dashboard shows one button for each.',
  authScopes: { human: true },
  fields: (t) => ({
    id: t.exposeID('id', { description: '`github` or `google`.' }),
    name: t.exposeString('name'),
    signInUrl: t.exposeString('signInUrl', {
      description: 'Where the browser goes to sign in, e.g. `/auth/github/start`; add `?returnTo=/path`, or `link=1` to link.',
    }),
  }),
});

const SessionRef = builder.objectRef<SessionModel>('Session').implement({
  description: 'A browser session of the signed-in user.',
  authScopes: (s) => ({ self: s.userId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    ip: t.exposeString('ip', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    current: t.exposeBoolean('current', { description: 'The session this request came with.' }),
  }),
});

const LinkedAccountRef = builder.objectRef<LinkedAccountModel & { userId: string }>('LinkedAccount').implement({
  description: 'A GitHub or Google account the user can sign in with.',
  authScopes: (a) => ({ self: a.userId }),
  fields: (t) => ({
    provider: t.exposeString('provider'),
    email: t.exposeString('email', { nullable: true }),
    linkedAt: t.expose('linkedAt', { type: 'DateTime' }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  sessions: t.field({
    type: [SessionRef],
    description: 'The user’s active sessions (not revoked, not expired), newest first.',
    authScopes: (user) => ({ self: user.id }),
    resolve: (user, _args, ctx) => listSessions(ctx, user.id),
  }),
  linkedAccounts: t.field({
    type: [LinkedAccountRef],
    authScopes: (user) => ({ self: user.id }),
    resolve: async (user, _args, ctx) => (await listLinkedAccounts(ctx, user.id)).map((a) => ({ ...a, userId: user.id })),
  }),
  hasPassword: t.boolean({
    description: 'False for a user who has only signed in with GitHub or Google so far.',
    authScopes: (user) => ({ self: user.id }),
    resolve: (user, _args, ctx) => userHasPassword(ctx, user.id),
  }),
}));

builder.queryField('authProviders', (t) =>
  t.field({
    type: [AuthProviderRef],
    description: 'The sign-in providers configured on this server (anonymous callers may ask).',
    authScopes: { human: true },
    resolve: (_root, _args, ctx) => configuredProviders(ctx.deps.config),
  }),
);

builder.queryField('authErrorMessage', (t) =>
  t.string({
    nullable: true,
    description:
      'What went wrong, for a code the sign-in routes redirect with (`/signin?error=<code>`); null for a code they never send.',
    authScopes: { human: true },
    args: { code: t.arg.string({ required: true }) },
    resolve: (_root, { code }) => (Object.hasOwn(OAUTH_ERROR_MESSAGES, code) ? OAUTH_ERROR_MESSAGES[code as keyof typeof OAUTH_ERROR_MESSAGES] : null),
  }),
);

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ description: 'Omit only when the account has no password yet.' }),
    newPassword: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  revokeSession: t.boolean({
    description: 'Ends one of your own sessions. Keys and tokens are untouched.',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeSession(ctx, id),
  }),
  revokeOtherSessions: t.field({
    type: 'BigInt',
    description: 'Ends all your sessions but this one; returns how many were ended.',
    authScopes: { session: true },
    resolve: (_root, _args, ctx) => revokeOtherSessions(ctx),
  }),
  changePassword: t.boolean({
    description: 'Changes (or first sets) your password and ends all your other sessions.',
    authScopes: { session: true },
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: (_root, { input }, ctx) => changePassword(ctx, input),
  }),
  unlinkAuthProvider: t.boolean({
    description: 'Unlinks a GitHub or Google account; refused when it is your last way to sign in.',
    authScopes: { session: true },
    args: { provider: t.arg.string({ required: true }) },
    resolve: (_root, { provider }, ctx) => unlinkAuthProvider(ctx, provider),
  }),
}));
