import { parentPort, workerData } from 'node:worker_threads';
import type { ContentCodec, ProjectKeys } from '../../../plugins/core/index';
import { encodeContent, encodeContentText } from '../../storage/content';
import { KEY_CACHE_MS } from '../../storage/project-keys';
import type { EncodeJob, EncodeJobReply, EncodeReply, EncodeWorkerData } from './encode-protocol';
import { packBytes, transferListOf, unpackBytes } from './packed-bytes';

// The codec's worker thread (encode-pool.ts): turns span content into stored bytes — JSON, then
// the codec's seal — for batches the server hands over. It makes its own codec from the server's
// (CodecWorker) and opens each project's sealed data keys with it; opened keys never cross threads.

const MAX_PROJECTS = 10_000;
const opened = new Map<string, { ids: string; keys: ProjectKeys; openedAt: number }>();

// A set is opened again after a minute, as the server's own cache does (project-keys.ts), and
// dropped by then even when unused: a deleted project's keys stay in this process's memory no
// longer than docs/security.md says.
const SWEEP_MS = 5_000;
const KEEP_MS = (workerData as EncodeWorkerData).keyKeepMs ?? KEY_CACHE_MS - SWEEP_MS;
setInterval(
  () => {
    const now = Date.now();
    for (const [projectId, entry] of opened) if (now - entry.openedAt >= KEEP_MS) opened.delete(projectId);
  },
  Math.min(SWEEP_MS, KEEP_MS),
).unref();

function keysFor(codec: ContentCodec, job: EncodeJob): ProjectKeys | undefined {
  if (!job.keys || !codec.projectKeys) return undefined;
  // The server reopens a project's keys every minute and after a data-key rotation: a new key id
  // list is a new set; the same ids are the same keys (a master-key rewrap changes only the seal).
  const ids = job.keys.map((k) => k.id).join(',');
  const cached = opened.get(job.projectId);
  const now = Date.now();
  if (cached && cached.ids === ids && now - cached.openedAt < KEEP_MS) return cached.keys;
  const keys = codec.projectKeys.open(job.projectId, job.keys);
  opened.delete(job.projectId);
  if (opened.size >= MAX_PROJECTS) opened.delete(opened.keys().next().value!);
  opened.set(job.projectId, { ids, keys, openedAt: now });
  return keys;
}

function encodeJob(codec: ContentCodec, job: EncodeJob): EncodeJobReply {
  const keys = keysFor(codec, job);
  const texts = unpackBytes(job.texts);
  const parts = job.values.map((value, k) => {
    const ctx = { projectId: job.projectId, table: 'spans', rowId: job.rowIds[k >> 1]!, column: k % 2 === 0 ? 'input' : 'output' };
    const where = keys ? { ...ctx, keys } : ctx;
    const text = texts[k];
    return text ? encodeContentText(codec, text, where) : encodeContent(codec, value, where);
  });
  return { job: job.job, ok: true, stored: packBytes(parts) };
}

/** Only the error's kind: a message could quote content, and the server re-encodes to report it. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const { codecModule, codecData } = workerData as EncodeWorkerData;
  let codec: ContentCodec;
  try {
    const mod = (await import(codecModule)) as { createCodec?: (data: unknown) => ContentCodec };
    if (typeof mod.createCodec !== 'function') throw new Error(`${codecModule} does not export createCodec`);
    codec = mod.createCodec(codecData);
  } catch (err) {
    port.postMessage({ ready: false, error: err instanceof Error ? err.message : String(err) } satisfies EncodeReply);
    return;
  }
  port.on('message', (job: EncodeJob) => {
    let reply: EncodeJobReply;
    try {
      reply = encodeJob(codec, job);
    } catch (err) {
      reply = { job: job.job, ok: false, error: errorName(err) };
    }
    if (reply.ok) port.postMessage(reply, transferListOf(reply.stored));
    else port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies EncodeReply);
}

void main();
