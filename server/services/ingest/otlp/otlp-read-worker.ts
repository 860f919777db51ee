import { parentPort } from 'node:worker_threads';
import type { ReadyMessage } from '../job-worker';
import { transferListOf } from '../packed-bytes';
import { readSpans } from '../read-spans';
import { contentJson } from '../../../storage/content';
import { takeContentOut } from '../readings-across-threads';
import { decodeOtlpRequest, OtlpDecodeError } from './decode-otlp';
import { mapOtlpSpan } from './map-otlp-span';
import type { OtlpReadJob, OtlpReadReply } from './otlp-read-protocol';

// The OTLP read worker (otlp-read-pool.ts): an OTLP request body → decoded (protobufjs), each span
// mapped from its conventions and validated — the same functions the server's thread runs.

function readJob(job: OtlpReadJob): OtlpReadReply {
  let items;
  try {
    items = decodeOtlpRequest(job.body, job.encoding);
  } catch (err) {
    if (err instanceof OtlpDecodeError) return { job: job.job, ok: true, decodeError: err.message };
    throw err;
  }
  const read = readSpans(items, mapOtlpSpan, job.now);
  return { job: job.job, ok: true, read, texts: takeContentOut(read, contentJson) };
}

const port = parentPort!;
port.on('message', (job: OtlpReadJob) => {
  let reply: OtlpReadReply;
  try {
    reply = readJob(job);
  } catch (err) {
    // Only the error's kind: a message could quote content. The server reads the body again.
    reply = { job: job.job, ok: false, error: err instanceof Error ? err.name : typeof err };
  }
  if ('texts' in reply) port.postMessage(reply, transferListOf(reply.texts));
  else port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies ReadyMessage);
