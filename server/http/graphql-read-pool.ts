import type { Logger } from 'pino';
import { createJobWorker } from '../services/ingest/job-worker';
import { byteLengthOf, copyToMove, type BodyBytes } from '../services/ingest/packed-bytes';
import { SpansReadInWorker } from '../services/ingest/read-spans';
import type { EarlySealing } from '../services/ingest/sealed-in-worker';
import { putReadingsBack } from '../services/ingest/readings-across-threads';
import type { SealerData } from '../services/ingest/worker-sealer';
import type { GraphqlReadJob, GraphqlReadReply, GraphqlReadWorkerData } from './graphql-read-protocol';

// The GraphQL door's heavy reading of a large ingest request, off the event loop: the JSON body
// parsed, the spans variable coerced, each span mapped and validated, in a worker thread
// (graphql-read-worker.ts). The server's thread gets back yoga's request with the spans variable
// standing for the readings (SpansReadInWorker); yoga parses and validates the (small) document,
// authenticates, checks the span budget and runs the resolver as for any request, and the resolver
// hands the readings to ingest. Content comes back as text and stays text until a stage needs the
// value (readings-across-threads.ts).
//
// Why: for a batch of 100 spans, parsing the body alone took 10–13 µs of the main thread per span
// (bench:json-body), coercion and validation about 8 more; taking the readings back costs about 4.
//
// Only a body that is exactly one ingest mutation whose only variable is its spans, and whose spans
// coerce without error, is read there (graphql-read-worker.ts says what exactly); any other body,
// one under `minBytes`, every body while the worker starts, and any the worker cannot answer are
// read on the server's thread as before, so every error is worded as before.

/** Below this many bytes a body is read on the calling thread. */
export const DEFAULT_MIN_BYTES = 16 * 1024;

/** What yoga takes as a parsed request body. */
export interface YogaParams {
  query: string;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
  variables: Record<string, SpansReadInWorker>;
}

export interface GraphqlReadPool {
  /** The request for yoga, spans read; null when the caller should read the body itself. */
  read(body: BodyBytes, now: number, sealing?: EarlySealing | null): Promise<YogaParams | null>;
  /** Whether a body of this size would go to the worker. */
  takes(byteLength: number): boolean;
  warm(): Promise<boolean>;
  /**
   * Bodies read in the worker, those whose content it also sealed, those it left to the caller
   * (not one ingest request), and those handed back.
   */
  stats(): { read: number; sealed: number; notIngest: number; handedBack: number };
  close(): Promise<void>;
}

export function createGraphqlReadPool(logger: Logger, sdl: () => string, options: { minBytes?: number; sealer?: SealerData } = {}): GraphqlReadPool {
  const minBytes = options.minBytes ?? DEFAULT_MIN_BYTES;
  let workerData: GraphqlReadWorkerData | undefined;
  const worker = createJobWorker<GraphqlReadJob, GraphqlReadReply>(
    {
      module: new URL('./graphql-read-worker.ts', import.meta.url).href,
      // Printed when the worker first starts, not with the app.
      get workerData() {
        return (workerData ??= { sdl: sdl(), ...(options.sealer ? { sealer: options.sealer } : {}) });
      },
      name: 'GraphQL read worker',
      work: 'reads large GraphQL ingest requests',
    },
    logger,
  );
  const counts = { read: 0, sealed: 0, notIngest: 0, handedBack: 0 };
  return {
    takes: (byteLength) => byteLength >= minBytes,
    async read(body, now, sealing) {
      if (byteLengthOf(body) < minBytes) return null;
      const reply = await worker.run(
        (job) => ({ job, body: copyToMove(body), now, ...(sealing ? { seal: sealing.target } : {}) }),
        (job) => [job.body.buffer as ArrayBuffer],
      );
      if (!reply?.ok) {
        counts.handedBack++;
        return null;
      }
      if (!reply.request) {
        counts.notIngest++;
        return null;
      }
      counts.read++;
      const { query, operationName, extensions, variable, readings } = reply.request;
      if (readings.sealed) counts.sealed++;
      return {
        query,
        ...(operationName !== undefined ? { operationName } : {}),
        ...(extensions ? { extensions } : {}),
        variables: { [variable]: new SpansReadInWorker(putReadingsBack(readings, sealing)) },
      };
    },
    warm: () => worker.warm(),
    stats: () => ({ ...counts }),
    close: () => worker.close(),
  };
}
