import { createPubSub, SlidingBuffer, type PubSubEventTarget } from 'graphql-yoga';
import type { SpanModel } from './models';

// Live tail of ingested spans. In-process by default; a Redis event target makes it shared
// by several server instances.

type Events = { 'span:ingested': [projectId: string, span: SpanModel] };

export function createSpanPubSub(eventTarget?: PubSubEventTarget<Events>) {
  return createPubSub<Events>({
    ...(eventTarget ? { eventTarget } : {}),
    // A slow live-tail client drops its oldest unsent spans instead of erroring or growing memory.
    repeaterBuffer: new SlidingBuffer(1000),
  });
}

export type SpanPubSub = ReturnType<typeof createSpanPubSub>;
