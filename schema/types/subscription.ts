import type { SpanModel } from '../../server/services/models';
import { builder } from '../builder';
import { SpanRef } from './span';

builder.subscriptionField('spanIngested', (t) =>
  t.field({
    type: SpanRef,
    description: 'Live tail of a project’s spans as they are stored. VIEWER+.',
    authScopes: (_root, args) => ({ projectViewer: String(args.projectId) }),
    args: { projectId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => ctx.deps.pubsub.subscribe('span:ingested', String(args.projectId)),
    resolve: (span: SpanModel) => span,
  }),
);
