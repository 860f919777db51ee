import type { Logger } from 'pino';
import { createJobWorker } from '../job-worker';
import { byteLengthOf, copyToMove, type BodyBytes } from '../packed-bytes';
import type { SpanReading } from '../read-spans';
import { putReadingsBack } from '../readings-across-threads';
import type { OtlpEncoding } from './decode-otlp';
import type { EarlySealing } from '../sealed-in-worker';
import type { SealerData } from '../worker-sealer';
import type { OtlpReadJob, OtlpReadReply, OtlpReadWorkerData } from './otlp-read-protocol';

// The OTLP door's decode, map and validate stages off the event loop, for large bodies.
//
// Why: for a batch of 100 GenAI spans (bench:ingest --otlp), protobufjs's decode, the attribute
// bag, parsing the JSON message attributes into the one chat shape, and validation took 29–62 µs of
// the server's main thread per span, measured alone; the main thread is what limits ingest. In a
// worker thread the same functions (read-spans.ts) run on another core, and the server's thread
// only takes the readings back: JSON text of the spans without their content (readings-as-json.ts),
// about 1.5 µs per span. Content comes back as the JSON text the worker wrote and stays that text until a
// stage needs the value (readings-across-threads.ts); the encode stage seals it.
//
// A body under `minBytes` (a few spans) is read on the calling thread, where it costs less than a
// trip to the worker; so is every body while the worker starts, or when it cannot answer
// (job-worker.ts).

/** Below this many bytes a body is read on the calling thread. */
export const DEFAULT_MIN_BYTES = 16 * 1024;

export type OtlpReading = { read: SpanReading[] } | { decodeError: string };

export interface OtlpReadPool {
  /** The body's readings (or why it is not an OTLP request); null when the caller should read it itself. */
  read(body: BodyBytes, encoding: OtlpEncoding, now: number, sealing?: EarlySealing | null): Promise<OtlpReading | null>;
  /** Whether a body of this size would go to the worker. */
  takes(byteLength: number): boolean;
  /** Starts the worker if it is not running; resolves whether it is ready. */
  warm(): Promise<boolean>;
  /** Bodies read in the worker so far, those whose content it also sealed, and those handed back. */
  stats(): { read: number; sealed: number; handedBack: number };
  close(): Promise<void>;
}

export function createOtlpReadPool(logger: Logger, options: { minBytes?: number; sealer?: SealerData } = {}): OtlpReadPool {
  const minBytes = options.minBytes ?? DEFAULT_MIN_BYTES;
  const worker = createJobWorker<OtlpReadJob, OtlpReadReply>(
    {
      module: new URL('./otlp-read-worker.ts', import.meta.url).href,
      workerData: { ...(options.sealer ? { sealer: options.sealer } : {}) } satisfies OtlpReadWorkerData,
      name: 'OTLP read worker',
      work: 'reads OTLP bodies',
    },
    logger,
  );
  const counts = { read: 0, sealed: 0, handedBack: 0 };
  return {
    takes: (byteLength) => byteLength >= minBytes,
    async read(body, encoding, now, sealing) {
      if (byteLengthOf(body) < minBytes) return null;
      const reply = await worker.run(
        (job) => ({ job, body: copyToMove(body), encoding, now, ...(sealing ? { seal: sealing.target } : {}) }),
        (job) => [job.body.buffer as ArrayBuffer],
      );
      if (!reply?.ok) {
        counts.handedBack++;
        return null;
      }
      counts.read++;
      if ('decodeError' in reply) return { decodeError: reply.decodeError };
      if (reply.readings.sealed) counts.sealed++;
      return { read: putReadingsBack(reply.readings, sealing) };
    },
    warm: () => worker.warm(),
    stats: () => ({ ...counts }),
    close: () => worker.close(),
  };
}
