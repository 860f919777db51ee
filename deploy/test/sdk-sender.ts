import { Tokentrace, type TokentraceError } from '../../sdk/src/index';

// An application using the SDK against the load balancer: SPANS spans, one every EVERY_MS,
// then flush. The SDK is given the server's address only (TOKENTRACE_ENDPOINT without a path)
// and trusts the deployment's certificate through NODE_EXTRA_CA_CERTS. Prints its counters
// and any error as one JSON line.

const total = Number(process.env.SPANS ?? 40);
const everyMs = Number(process.env.EVERY_MS ?? 50);
const errors: string[] = [];
const tt = new Tokentrace({
  flushAt: 5,
  flushIntervalMs: 100,
  retryDelayMs: 100,
  maxRetryDelayMs: 500,
  onError: (e: TokentraceError) => errors.push(`${e.code}: ${e.message}`),
});

for (let i = 0; i < total; i++) {
  tt.startSpan({ name: `sdk-${i}` }).end();
  await new Promise((r) => setTimeout(r, everyMs));
}
await tt.flush();
console.log(JSON.stringify({ stats: tt.stats(), errors }));
