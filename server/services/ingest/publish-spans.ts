import type { AppDeps } from '../../context';
import type { SpanModel } from '../models';
import { contentValue, UnparsedContent } from './content-source-text';

// The publish stage: after commit, the stored spans to the project's live-tail subscribers, with
// their redacted content as stored, as one event (server/services/span-pubsub.ts; through Redis
// with REDIS_URL).

export function publishSpans(deps: AppDeps, projectId: string, spans: SpanModel[]): void {
  for (const span of spans) {
    const content = span.content;
    if (content && (content.input instanceof UnparsedContent || content.output instanceof UnparsedContent)) span.content = new ContentParsedOnRead(content.input, content.output);
  }
  deps.pubsub.publish(projectId, spans);
}

/**
 * Content a read worker left as text (content-source-text.ts), parsed the first time anyone reads
 * it: a subscriber's resolver (`content.input`), or the JSON that carries an event to other
 * instances (toJSON). With no subscriber nothing is parsed. A class, not per-object accessors:
 * defining two getters on each span's content cost about as much as the parse it saves.
 */
class ContentParsedOnRead {
  constructor(
    private inputValue: unknown,
    private outputValue: unknown,
  ) {}

  get input(): unknown {
    if (this.inputValue instanceof UnparsedContent) this.inputValue = contentValue(this.inputValue);
    return this.inputValue;
  }

  get output(): unknown {
    if (this.outputValue instanceof UnparsedContent) this.outputValue = contentValue(this.outputValue);
    return this.outputValue;
  }

  toJSON(): { input: unknown; output: unknown } {
    return { input: this.input, output: this.output };
  }
}
