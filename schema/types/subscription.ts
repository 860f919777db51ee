import { Repeater } from 'graphql-yoga';
import type { RequestContext } from '../../server/context';
import { readLiveTailAccess, type LiveTailAccess } from '../../server/services/live-tail-access';
import type { SpanModel } from '../../server/services/models';
import { builder } from '../builder';
import { SpanRef } from './span';

// The live tail re-reads the caller's access while it streams (server/services/live-tail-access.ts
// says why), at most once a second to spare the database under heavy ingest. A member below the
// content line gets the fields Span puts behind `contentReader` emptied.
const ACCESS_RECHECK_MS = 1_000;

/** What a member below the content line sees of a span: the fields Span hides behind contentReader, emptied. */
function withoutContent(span: SpanModel): SpanModel {
  return { ...span, content: { input: null, output: null }, statusMessage: null, metadata: null };
}

function liveTail(ctx: RequestContext, projectId: string): AsyncIterable<SpanModel> {
  const source = ctx.deps.pubsub.subscribe(projectId);
  let access: Promise<LiveTailAccess> | undefined;
  let checkedAt = 0;
  const currentAccess = () => {
    if (!access || Date.now() - checkedAt >= ACCESS_RECHECK_MS) {
      checkedAt = Date.now();
      access = readLiveTailAccess(ctx, projectId);
    }
    return access;
  };
  // A Repeater rather than an async generator: on disconnect it returns the source at once,
  // where a generator would wait for the next span to arrive before unsubscribing.
  return new Repeater<SpanModel>(async (push, stop) => {
    const closed = ctx.deps.metrics.liveTailOpened();
    const iterator = source[Symbol.asyncIterator]();
    void stop.then(() => {
      closed();
      return iterator.return?.();
    });
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const { member, content } = await currentAccess();
      if (!member) break;
      // The published span is shared by every subscriber: copy it, never change it.
      await push(content ? next.value : withoutContent(next.value));
    }
    stop();
  });
}

builder.subscriptionField('spanIngested', (t) =>
  t.field({
    type: SpanRef,
    description: 'Live tail of a project’s spans as they are stored. VIEWER+; ends when the caller leaves the project.',
    authScopes: (_root, args) => ({ projectViewer: args.projectId }),
    args: { projectId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => liveTail(ctx, args.projectId),
    resolve: (span: SpanModel) => span,
  }),
);
