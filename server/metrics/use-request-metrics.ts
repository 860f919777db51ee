import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics, OperationType } from './metrics';

// Latency of GraphQL requests by operation type, and nothing finer: an operation's name is the
// client's choice (unbounded, and possibly telling), so it is never a label.

interface Timing {
  started: number;
  operation: OperationType;
}

export interface UseRequestMetricsOptions {
  /** Only requests to this path are timed (GraphiQL's assets are not GraphQL requests). @default '/graphql' */
  endpoint?: string;
}

export function useRequestMetrics(metrics: Metrics, options: UseRequestMetricsOptions = {}): Plugin {
  const endpoint = options.endpoint ?? '/graphql';
  const timings = new WeakMap<Request, Timing>();
  const noteOperation = (context: unknown, document: DocumentNode, operationName: string | null | undefined) => {
    const request = (context as { request?: Request }).request;
    const timing = request && timings.get(request);
    if (timing) timing.operation = getOperationAST(document, operationName)?.operation ?? 'none';
  };
  return {
    onRequest({ request, url }) {
      if (url.pathname === endpoint) timings.set(request, { started: performance.now(), operation: 'none' });
    },
    onExecute({ args }) {
      noteOperation(args.contextValue, args.document, args.operationName);
    },
    onSubscribe({ args }) {
      noteOperation(args.contextValue, args.document, args.operationName);
    },
    onResponse({ request }) {
      const timing = timings.get(request);
      if (!timing) return;
      timings.delete(request);
      metrics.requestDuration.observe({ operation: timing.operation }, (performance.now() - timing.started) / 1000);
    },
  };
}
