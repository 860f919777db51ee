import { parentPort, workerData } from 'node:worker_threads';
import type { EncodeJob, EncodeJobReply, EncodeReply } from './encode-protocol';
import { packBytes, transferListOf, unpackBytes } from './packed-bytes';
import { createSealer, type Sealer, type SealerData } from './worker-sealer';

// The codec's worker thread (encode-pool.ts): turns span content into stored bytes — JSON, then
// the codec's seal — for batches the server hands over (worker-sealer.ts).

function encodeJob(sealer: Sealer, job: EncodeJob): EncodeJobReply {
  return { job: job.job, ok: true, stored: packBytes(sealer.seal(job, job.rowIds, unpackBytes(job.texts), job.values)) };
}

/** Only the error's kind: a message could quote content, and the server re-encodes to report it. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

async function main(): Promise<void> {
  const port = parentPort!;
  let sealer: Sealer;
  try {
    sealer = await createSealer(workerData as SealerData);
  } catch (err) {
    port.postMessage({ ready: false, error: err instanceof Error ? err.message : String(err) } satisfies EncodeReply);
    return;
  }
  port.on('message', (job: EncodeJob) => {
    let reply: EncodeJobReply;
    try {
      reply = encodeJob(sealer, job);
    } catch (err) {
      reply = { job: job.job, ok: false, error: errorName(err) };
    }
    if (reply.ok) port.postMessage(reply, transferListOf(reply.stored));
    else port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies EncodeReply);
}

void main();
