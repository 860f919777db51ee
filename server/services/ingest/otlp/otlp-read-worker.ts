import { parentPort, workerData } from 'node:worker_threads';
import type { ReadyMessage } from '../job-worker';
import { readSpans } from '../read-spans';
import { contentJson } from '../../../storage/content';
import { readingsTransferList, takeReadingsOut } from '../readings-across-threads';
import { createSealer, type Sealer } from '../worker-sealer';
import { decodeOtlpRequest, OtlpDecodeError } from './decode-otlp';
import { mapOtlpSpan } from './map-otlp-span';
import type { OtlpReadJob, OtlpReadReply, OtlpReadWorkerData } from './otlp-read-protocol';

// The OTLP read worker (otlp-read-pool.ts): an OTLP request body → decoded (protobufjs), each span
// mapped from its conventions and validated — the same functions the server's thread runs — and,
// when the server asks, its content sealed for storage (early-sealing.ts).

function readJob(job: OtlpReadJob, sealer: Sealer | undefined): OtlpReadReply {
  let items;
  try {
    items = decodeOtlpRequest(job.body, job.encoding);
  } catch (err) {
    if (err instanceof OtlpDecodeError) return { job: job.job, ok: true, decodeError: err.message };
    throw err;
  }
  const read = readSpans(items, mapOtlpSpan, job.now);
  return { job: job.job, ok: true, readings: takeReadingsOut(read, contentJson, sealer, job.seal) };
}

async function main(): Promise<void> {
  const port = parentPort!;
  const data = (workerData ?? {}) as OtlpReadWorkerData;
  // Without a sealer the worker still reads; the server then seals as before.
  const sealer = data.sealer ? await createSealer(data.sealer).catch(() => undefined) : undefined;
  port.on('message', (job: OtlpReadJob) => {
    let reply: OtlpReadReply;
    try {
      reply = readJob(job, sealer);
    } catch (err) {
      // Only the error's kind: a message could quote content. The server reads the body again.
      reply = { job: job.job, ok: false, error: err instanceof Error ? err.name : typeof err };
    }
    if ('readings' in reply) port.postMessage(reply, readingsTransferList(reply.readings));
    else port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies ReadyMessage);
}

void main();
