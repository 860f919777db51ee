import type { UserModel } from '../../server/services/models';
import { signIn, signOut, signUp } from '../../server/services/accounts';
import { builder } from '../builder';
import { UserRef } from './user';

const AuthPayloadRef = builder.objectRef<{ user: UserModel }>('AuthPayload').implement({
  description: 'The signed-in user; the session cookie comes with the response.',
  // Set-Cookie has already made the caller this user when the payload is read.
  authScopes: { human: true },
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    name: t.string(),
  }),
});

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayloadRef,
    authScopes: { human: true },
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ user: await signUp(ctx, input) }),
  }),
  signIn: t.field({
    type: AuthPayloadRef,
    authScopes: { human: true },
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ user: await signIn(ctx, input) }),
  }),
  signOut: t.boolean({
    description: 'Ends this browser session only; keys and tokens are untouched.',
    authScopes: { human: true },
    resolve: (_root, _args, ctx) => signOut(ctx),
  }),
}));
