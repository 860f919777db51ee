import { listPersonalAccessTokens } from '../../server/services/credentials';
import { usersByIds } from '../../server/services/users';
import { builder } from '../builder';
import { PersonalAccessTokenRef } from './personal-access-token';

// Loadable: a field of type User may resolve to the user's id, and every id of one response is
// loaded in one query (members, key and price authors, inviters: no query per row).
export const UserRef = builder.loadableObjectRef('User', {
  load: (ids: string[], ctx) => usersByIds(ctx, ids),
  sort: (user) => user.id,
});

UserRef.implement({
  description: 'A person with a dashboard account.',
  // `self` also covers the user who signs in or up in this very request.
  authScopes: (user) => ({ $any: { user: true, self: user.id } }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { nullable: true }),
    // Nullable although every user has one: a refused address must cost the caller that one
    // value (null, with a FORBIDDEN error), not null every parent up to `project` as a non-null
    // field would, which made a VIEWER's member list unreadable as soon as it asked for e-mails.
    email: t.exposeString('email', {
      nullable: true,
      description:
        'Visible to the user themself and to ADMIN+ of a project they share; for anyone else null, with a FORBIDDEN error.',
      authScopes: (user) => ({ $any: { self: user.id, adminOfUser: user.id } }),
    }),
    personalAccessTokens: t.field({
      type: [PersonalAccessTokenRef],
      description: 'The user’s own personal access tokens (never their secrets).',
      authScopes: (user) => ({ self: user.id }),
      resolve: (user, _args, ctx) => listPersonalAccessTokens(ctx, user.id),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user; null when anonymous.',
    authScopes: { human: true },
    // The User type's own rule would refuse an anonymous caller; null is the answer here.
    skipTypeScopes: true,
    resolve: (_root, _args, ctx) => (ctx.principal.kind === 'user' ? ctx.principal.userId : null),
  }),
);
