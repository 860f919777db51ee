import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { makeOtlpBatch, readOtlpResponse } from './otlp-batch';
import { makeBatch } from './spans';

// The HTTP senders, in a process of their own (senders.ts forks it) so building and sending
// requests does not take CPU time from the server under test's process. Each phase is a fixed count of batches pulled
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
  /** Spans per trace in a batch (bench/lib/spans.ts). */
  spansPerTrace?: number;
  requestTimeoutMs: number;
  /** The OTLP door (`--otlp`): its URL and an ingest key of another project. */
  otlp?: { endpoint: string; secret: string };
  /** The floor path (`--http-floor`, http-floor.ts): the raw INSERT behind a bare HTTP handler. */
  floorEndpoint?: string;
}

export interface PhaseRequest {
  type: 'run';
  phase: string;
  /** Batch numbers [first, first + count) are sent. */
  first: number;
  count: number;
  /** GraphQL `ingest` (JSON), OTLP `/v1/traces` (protobuf), or the GraphQL body to the floor's handler. */
  door?: 'graphql' | 'otlp' | 'floor';
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
  /** Event-loop utilisation of the senders' process during the phase. */
  elu: number;
}

const INGEST = 'mutation Ingest($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted rejected { index id reason } } }';

const config = JSON.parse(process.env.TOKENTRACE_BENCH_SENDERS ?? 'null') as SenderConfig;
if (!config || !process.send) throw new Error('sender-worker must be forked by bench/lib/senders.ts');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, secret: string, contentType: string, body: Uint8Array): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: config.requestTimeoutMs,
        headers: {
          'content-type': contentType,
          'content-length': body.length,
          authorization: `Bearer ${secret}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

interface Outcome {
  accepted: number;
  rejected: number;
  problem?: string;
}

/** One batch through GraphQL `ingest` (or the floor's handler, which answers as it does). */
async function sendGraphql(body: Uint8Array, endpoint = config.endpoint): Promise<Outcome> {
  const res = await post(endpoint, config.secret, 'application/json', body);
  const json = JSON.parse(res.body.toString('utf8')) as {
    data?: { ingest?: { accepted: number; rejected: { index: number; id: string | null; reason: string }[] } };
    errors?: { message: string }[];
  };
  const result = json.data?.ingest;
  if (res.status !== 200 || json.errors || !result) return { accepted: 0, rejected: 0, problem: `HTTP ${res.status} ${JSON.stringify(json.errors ?? json).slice(0, 300)}` };
  return {
    accepted: result.accepted,
    rejected: result.rejected.length,
    problem: result.rejected.length > 0 ? `rejected ${JSON.stringify(result.rejected.slice(0, 2))}` : undefined,
  };
}

/** One batch through OTLP `/v1/traces`, as an exporter sends it. */
async function sendOtlp(body: Uint8Array): Promise<Outcome> {
  const res = await post(config.otlp!.endpoint, config.otlp!.secret, 'application/x-protobuf', body);
  if (res.status !== 200) return { accepted: 0, rejected: 0, problem: `HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}` };
  const { rejected, message } = readOtlpResponse(res.body);
  return { accepted: config.batchSize - rejected, rejected, problem: rejected > 0 ? message.slice(0, 300) : undefined };
}


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

  const door = req.door ?? 'graphql';
  if (door === 'otlp' && !config.otlp) throw new Error('an OTLP phase needs config.otlp');
  if (door === 'floor' && !config.floorEndpoint) throw new Error('a floor phase needs config.floorEndpoint');
  const bodies = new Map<number, Uint8Array>();
  for (let g = req.first; g < end; g++) {
    const body =
      door === 'otlp'
        ? makeOtlpBatch(config.runTag, g, config.batchSize, config.baseTimeMs, config.spansPerTrace)
        : Buffer.from(JSON.stringify({ query: INGEST, variables: { spans: makeBatch(config.runTag, g, config.batchSize, config.baseTimeMs, config.spansPerTrace) } }));
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
        const outcome = await (door === 'otlp' ? sendOtlp(body) : sendGraphql(body, door === 'floor' ? config.floorEndpoint : config.endpoint));
        latencies.push(performance.now() - started);
        accepted += outcome.accepted;
        rejected += outcome.rejected;
        if (outcome.problem) problem(`batch ${g}: ${outcome.problem}`);
        else if (outcome.accepted !== config.batchSize) problem(`batch ${g}: accepted ${outcome.accepted} of ${config.batchSize}`);
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

const reply = (msg: unknown) => process.send!(msg);
process.on('message', (msg: PhaseRequest) => {
  if (msg.type !== 'run') return;
  runPhase(msg).then(
    (result) => reply(result),
    (err: unknown) => reply({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
// The bench's IPC channel closing means the bench is gone: so are we.
process.on('disconnect', () => process.exit(0));
