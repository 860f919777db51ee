import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { makeBatch } from './spans';

// The HTTP senders, on a thread of their own so building and sending requests does not take
// event-loop time from the server under test. Each phase is a fixed count of batches pulled
// from one shared counter by `senders` concurrent loops (one keep-alive connection each).
// Request bodies are built before the phase's clock starts and sent with node:http: in
// production the apps that send spans run elsewhere, so their serialising and HTTP-client
// work should not compete with the server for this machine's two cores.

export interface SenderConfig {
  endpoint: string;
  secret: string;
  senders: number;
  batchSize: number;
  runTag: string;
  baseTimeMs: number;
  requestTimeoutMs: number;
}

export interface PhaseRequest {
  type: 'run';
  phase: string;
  /** Batch numbers [first, first + count) are sent. */
  first: number;
  count: number;
}

export interface PhaseResult {
  type: 'done';
  phase: string;
  elapsedMs: number;
  /** Round-trip time of each batch, build of the body excluded. */
  latenciesMs: number[];
  accepted: number;
  rejected: number;
  failedBatches: number;
  firstProblem: string | null;
  requestBytes: number;
  /** Event-loop utilisation of this sender thread during the phase. */
  elu: number;
}

const INGEST = 'mutation Ingest($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted rejected { index id reason } } }';

const config = workerData as SenderConfig;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      config.endpoint,
      {
        method: 'POST',
        agent,
        timeout: config.requestTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${config.secret}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
const port = parentPort;
if (!port) throw new Error('sender-worker must run as a worker thread');

async function runPhase(req: PhaseRequest): Promise<PhaseResult> {
  const latencies: number[] = [];
  let nextBatch = req.first;
  const end = req.first + req.count;
  let accepted = 0;
  let rejected = 0;
  let failedBatches = 0;
  let firstProblem: string | null = null;
  let requestBytes = 0;
  const problem = (message: string) => {
    failedBatches++;
    firstProblem ??= message;
  };

  const bodies = new Map<number, Buffer>();
  for (let g = req.first; g < end; g++) {
    const body = Buffer.from(JSON.stringify({ query: INGEST, variables: { spans: makeBatch(config.runTag, g, config.batchSize, config.baseTimeMs) } }));
    requestBytes += body.length;
    bodies.set(g, body);
  }

  const sender = async () => {
    while (nextBatch < end) {
      const g = nextBatch++;
      const body = bodies.get(g)!;
      bodies.delete(g);
      const started = performance.now();
      try {
        const res = await post(body);
        const json = JSON.parse(res.text) as {
          data?: { ingest?: { accepted: number; rejected: { index: number; id: string | null; reason: string }[] } };
          errors?: { message: string }[];
        };
        latencies.push(performance.now() - started);
        const result = json.data?.ingest;
        if (res.status !== 200 || json.errors || !result) {
          problem(`batch ${g}: HTTP ${res.status} ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
          continue;
        }
        accepted += result.accepted;
        rejected += result.rejected.length;
        if (result.rejected.length > 0) problem(`batch ${g}: rejected ${JSON.stringify(result.rejected.slice(0, 2))}`);
        else if (result.accepted !== config.batchSize) problem(`batch ${g}: accepted ${result.accepted} of ${config.batchSize}`);
      } catch (err) {
        latencies.push(performance.now() - started);
        problem(`batch ${g}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: config.senders }, () => sender()));
  const elapsedMs = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  return { type: 'done', phase: req.phase, elapsedMs, latenciesMs: latencies, accepted, rejected, failedBatches, firstProblem, requestBytes, elu };
}

port.on('message', (msg: PhaseRequest) => {
  if (msg.type !== 'run') return;
  runPhase(msg).then(
    (result) => port.postMessage(result),
    (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
