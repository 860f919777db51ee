import type { AppDeps } from '../../context';
import type { SpanModel } from '../models';

// The publish stage: after commit, the stored spans to the project's live-tail subscribers, with
// their redacted content as stored, as one event (server/services/span-pubsub.ts; through Redis
// with REDIS_URL).

export function publishSpans(deps: AppDeps, projectId: string, spans: SpanModel[]): void {
  deps.pubsub.publish(projectId, spans);
}
