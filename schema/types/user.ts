import { findUserById } from '../../server/db/repositories/users';
import { toUserModel } from '../../server/services/accounts';
import { listPersonalAccessTokens } from '../../server/services/credentials';
import type { UserModel } from '../../server/services/models';
import { builder } from '../builder';
import { PersonalAccessTokenRef } from './personal-access-token';

export const UserRef = builder.objectRef<UserModel>('User').implement({
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
    resolve: async (_root, _args, ctx) => {
      if (ctx.principal.kind !== 'user') return null;
      const row = await findUserById(ctx.deps.db, ctx.principal.userId);
      return row ? toUserModel(row) : null;
    },
  }),
);
