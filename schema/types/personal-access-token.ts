import {
  createPersonalAccessToken,
  revokePersonalAccessToken,
} from '../../server/services/credentials';
import type { PersonalAccessTokenModel } from '../../server/services/models';
import { builder } from '../builder';

export const PersonalAccessTokenRef = builder.objectRef<PersonalAccessTokenModel>('PersonalAccessToken').implement({
  description: 'A token that acts as its user, with that user’s roles; optionally read-only.',
  authScopes: (token) => ({ self: token.userId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The public start of the token, to recognise it.' }),
    readOnly: t.exposeBoolean('readOnly'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedTokenRef = builder
  .objectRef<{ token: PersonalAccessTokenModel; secret: string }>('CreatedToken')
  .implement({
    description: 'The only time the secret is shown.',
    authScopes: (created) => ({ self: created.token.userId }),
    fields: (t) => ({
      token: t.field({ type: PersonalAccessTokenRef, resolve: (c) => c.token }),
      secret: t.exposeString('secret'),
    }),
  });

// Token management needs a browser session: a token must not be able to mint more tokens.
builder.mutationFields((t) => ({
  createPersonalAccessToken: t.field({
    type: CreatedTokenRef,
    authScopes: { session: true },
    args: {
      name: t.arg.string({ required: true }),
      readOnly: t.arg.boolean({ required: true }),
      expiresAt: t.arg({ type: 'DateTime' }),
    },
    resolve: (_root, args, ctx) => createPersonalAccessToken(ctx, args),
  }),
  revokePersonalAccessToken: t.boolean({
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => revokePersonalAccessToken(ctx, args.id),
  }),
}));
