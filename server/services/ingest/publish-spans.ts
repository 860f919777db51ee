import type { AppDeps } from '../../context';
import type { SpanModel } from '../models';

// The publish stage: after commit, each stored span to the project's live-tail subscribers, with
// its redacted content as stored (server/services/span-pubsub.ts; through Redis with REDIS_URL).

export function publishSpans(deps: AppDeps, projectId: string, spans: SpanModel[]): void {
  for (const span of spans) deps.pubsub.publish('span:ingested', projectId, span);
}
