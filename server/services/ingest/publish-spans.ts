import type { AppDeps } from '../../context';
import type { SpanModel } from '../models';
import { contentValue, UnparsedContent } from './content-source-text';

// The publish stage: after commit, the stored spans to the project's live-tail subscribers, with
// their redacted content as stored, as one event (server/services/span-pubsub.ts; through Redis
// with REDIS_URL).

export function publishSpans(deps: AppDeps, projectId: string, spans: SpanModel[]): void {
  for (const span of spans) if (span.content && hasUnparsed(span.content)) span.content = parsedOnRead(span.content);
  deps.pubsub.publish(projectId, spans);
}

const hasUnparsed = (content: { input: unknown; output: unknown }) => content.input instanceof UnparsedContent || content.output instanceof UnparsedContent;

/**
 * Content a read worker left as text (content-source-text.ts), parsed the first time anyone reads
 * it: a subscriber's resolver, or the JSON that carries an event to other instances. With no
 * subscriber, nothing is parsed.
 */
function parsedOnRead(content: { input: unknown; output: unknown }): { input: unknown; output: unknown } {
  const out = {} as { input: unknown; output: unknown };
  for (const key of ['input', 'output'] as const) {
    let value = content[key];
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get: () => (value instanceof UnparsedContent ? (value = contentValue(value)) : value),
    });
  }
  return out;
}
