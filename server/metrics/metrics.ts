import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// What an operator scrapes at GET /metrics (Prometheus text format), one registry per app so
// two apps in one process (tests) never mix their figures. Every label has a small fixed set
// of values — operation types, ingest doors and outcomes, rejection reason codes — and never
// carries user data (no project ids, span ids, names or messages): a label value per user
// would grow the series without bound and leak who does what to whoever can scrape.
//
// Node's own figures come from prom-client's default collectors: event-loop lag
// (nodejs_eventloop_lag_seconds, …_p99_seconds), memory (process_resident_memory_bytes,
// nodejs_heap_size_used_bytes), CPU, GC, handles.

export type OperationType = 'query' | 'mutation' | 'subscription' | 'none';
export type IngestDoor = 'graphql' | 'otlp';
export type IngestOutcome = 'stored' | 'partial' | 'rejected' | 'failed';

/** Connections of the database pool: Postgres (pg.Pool) or PGlite's single connection. */
export interface PoolStats {
  /** Connections the pool may open. */
  size: number;
  /** Connections checked out by a query or transaction. */
  inUse: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface MetricsSources {
  pool: () => PoolStats;
}

export interface Metrics {
  registry: Registry;
  spansAccepted: Counter<'door'>;
  spansRejected: Counter<'door' | 'reason'>;
  ingestRequests: Counter<'door' | 'outcome'>;
  requestDuration: Histogram<'operation'>;
  redactionDuration: Histogram;
  /** Counts a live-tail stream as open; call the returned function once when it ends. */
  liveTailOpened(): () => void;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const spansAccepted = new Counter({
    name: 'tokentrace_spans_accepted_total',
    help: 'Spans stored by ingest, by door (graphql, otlp).',
    labelNames: ['door'] as const,
    registers,
  });
  const spansRejected = new Counter({
    name: 'tokentrace_spans_rejected_total',
    help: 'Spans refused by ingest, by door and reason code (invalid_id, invalid_time, invalid_field, redaction_failed, redaction_timeout, other).',
    labelNames: ['door', 'reason'] as const,
    registers,
  });
  const ingestRequests = new Counter({
    name: 'tokentrace_ingest_requests_total',
    help: 'Ingest requests, by door and outcome (stored: every span; partial: some; rejected: none; failed: the request as a whole).',
    labelNames: ['door', 'outcome'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'tokentrace_graphql_request_duration_seconds',
    help: 'GraphQL requests from arrival to the response head, by operation type (none: refused before execution). For a subscription: until its stream starts.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const redactionDuration = new Histogram({
    name: 'tokentrace_redaction_duration_seconds',
    help: "Time the redact stage of ingest took for one request's spans.",
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
    registers,
  });

  let liveTails = 0;
  new Gauge({
    name: 'tokentrace_live_tail_subscribers',
    help: 'Open live-tail streams (spanIngested subscriptions) on this instance.',
    registers,
    collect() {
      this.set(liveTails);
    },
  });

  const poolGauge = (name: string, help: string, read: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(sources.pool()));
      },
    });
  poolGauge('tokentrace_db_pool_size', 'Database connections the pool may open (1 for embedded PGlite).', (s) => s.size);
  poolGauge('tokentrace_db_pool_in_use', 'Database connections checked out by a query or transaction.', (s) => s.inUse);
  poolGauge('tokentrace_db_pool_waiting', 'Queries waiting for a database connection.', (s) => s.waiting);

  return {
    registry,
    spansAccepted,
    spansRejected,
    ingestRequests,
    requestDuration,
    redactionDuration,
    liveTailOpened() {
      liveTails++;
      let open = true;
      return () => {
        if (open) liveTails--;
        open = false;
      };
    },
  };
}
