import type { SpanHandle } from '../tracing/span-handle.js';
import type { EndOptions } from '../tracing/types.js';
import type { CallAdapter } from './call-adapter.js';

// Records one call of an instrumented method without changing what the app gets back:
// the same promise object (openai's APIPromise, with withResponse()/asResponse()) and, for a
// stream, the same Stream object. We attach to the value the app receives:
//
// - APIPromise parses the body once and memoises it; we hook that parse (when the app first
//   awaits), so an app that only reads asResponse() keeps an unread body. Such an app owns the
//   body: the span then ends when the response arrives, with its status and without output.
// - A Stream reads through its `iterator` field (for-await, tee(), toReadableStream() all do);
//   we replace that field on this one object with a pass-through that sees every chunk.

type Obj = Record<string, unknown>;
type Thenable = { then: (ok: (v: unknown) => unknown, err: (e: unknown) => unknown) => unknown };

const isThenable = (v: unknown): v is Thenable => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as Obj).then === 'function';

function endSafely(span: SpanHandle, end: () => EndOptions): void {
  try {
    span.end(end());
  } catch (error) {
    span.sink.report(error);
    span.end();
  }
}

async function* observeChunks(source: AsyncIterator<unknown>, span: SpanHandle, adapter: CallAdapter): AsyncGenerator<unknown, void, undefined> {
  const acc = adapter.stream();
  try {
    for (;;) {
      const step = await source.next();
      if (step.done) return;
      try {
        acc.add(step.value);
        if (acc.firstToken) span.markFirstToken();
      } catch (error) {
        span.sink.report(error);
      }
      yield step.value;
    }
  } catch (error) {
    span.recordError(error);
    throw error;
  } finally {
    // Also on an early `break`: the span keeps what was streamed so far. Closing `source`
    // releases the connection, as for-await over the Stream itself would.
    endSafely(span, () => acc.result());
    if (typeof source.return === 'function') await source.return(undefined);
  }
}

function observeStream(stream: Obj, span: SpanHandle, adapter: CallAdapter): void {
  const original = stream.iterator;
  if (typeof original === 'function') {
    stream.iterator = () => observeChunks((original as () => AsyncIterator<unknown>).call(stream), span, adapter);
    return;
  }
  const iterate = stream[Symbol.asyncIterator as unknown as string];
  if (typeof iterate === 'function') {
    Object.defineProperty(stream, Symbol.asyncIterator, {
      value: () => observeChunks((iterate as () => AsyncIterator<unknown>).call(stream), span, adapter),
      configurable: true,
      writable: true,
    });
    return;
  }
  span.end();
}

function onValue(value: unknown, span: SpanHandle, adapter: CallAdapter, streamed: boolean): void {
  try {
    if (streamed && value !== null && typeof value === 'object') observeStream(value as Obj, span, adapter);
    else endSafely(span, () => adapter.fromResponse(value));
  } catch (error) {
    span.sink.report(error);
    span.end();
  }
}

/** The app read the raw Response itself: record how the call went, not what it said. */
function endWithoutBody(response: unknown, span: SpanHandle): void {
  const status = (response as { status?: unknown; ok?: unknown } | null)?.status;
  if ((response as { ok?: unknown } | null)?.ok === false) span.recordError(new Error(`OpenAI API returned HTTP ${String(status)}`));
  span.end();
}

function onFailure(error: unknown, span: SpanHandle): void {
  span.recordError(error);
  span.end();
}

/** Attaches the span to the method's result and returns that result untouched. */
export function observeResult<R>(result: R, span: SpanHandle, adapter: CallAdapter, streamed: boolean): R {
  if (!isThenable(result)) {
    onValue(result, span, adapter, streamed);
    return result;
  }
  const promise = result as unknown as Obj;
  const parse = promise.parse;
  if (typeof parse === 'function') {
    let attached = false;
    promise.parse = function (this: unknown, ...args: unknown[]) {
      const parsed = (parse as (...a: unknown[]) => unknown).apply(this, args);
      if (!attached && isThenable(parsed)) {
        attached = true;
        parsed.then(
          (v) => onValue(v, span, adapter, streamed),
          (e) => onFailure(e, span),
        );
      }
      return parsed;
    };
    const asResponse = promise.asResponse;
    if (typeof asResponse === 'function') {
      promise.asResponse = function (this: unknown, ...args: unknown[]) {
        const raw = (asResponse as (...a: unknown[]) => unknown).apply(this, args);
        // withResponse() calls parse() before asResponse(): then parse has attached already.
        if (!attached && isThenable(raw)) {
          attached = true;
          raw.then(
            (response) => endWithoutBody(response, span),
            (e) => onFailure(e, span),
          );
        }
        return raw;
      };
    }
    return result;
  }
  result.then(
    (v) => onValue(v, span, adapter, streamed),
    (e) => onFailure(e, span),
  );
  return result;
}
