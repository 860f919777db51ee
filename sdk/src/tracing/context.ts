import { AsyncLocalStorage } from 'node:async_hooks';
import type { SpanHandle } from './span-handle.js';

// The active span of the current async context: `span()`/`generation()` (and observeOpenAI)
// find their parent here without the app passing handles around. One storage per process,
// shared by every Tokentrace instance, so a span started by one instance can parent another's.

export const activeSpanStorage = new AsyncLocalStorage<SpanHandle>();

export function currentSpan(): SpanHandle | undefined {
  return activeSpanStorage.getStore();
}
