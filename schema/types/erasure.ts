import { eraseEndUser, type ErasureResult } from '../../server/services/erasure';
import { builder } from '../builder';

const ErasureResultRef = builder.objectRef<ErasureResult & { projectId: string }>('ErasureResult').implement({
  description: 'What an erasure deleted.',
  authScopes: (r) => ({ projectAdmin: r.projectId }),
  fields: (t) => ({
    traces: t.expose('traces', { type: 'BigInt' }),
    spans: t.expose('spans', { type: 'BigInt' }),
  }),
});

builder.mutationField('eraseEndUser', (t) =>
  t.field({
    type: ErasureResultRef,
    description:
      'ADMIN+. Deletes every trace of the project whose userId is exactly this one, with its spans. ' +
      'Audited with the counts and a hash of the userId, never the id or content.',
    authScopes: (_root, args) => ({ $all: { writer: true, projectAdmin: args.projectId } }),
    args: { projectId: t.arg.id({ required: true }), userId: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ ...(await eraseEndUser(ctx, args.projectId, args.userId)), projectId: args.projectId }),
  }),
);
