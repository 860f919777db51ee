// What parsing a GraphQL request body costs on the server's main thread: JSON.parse of the whole
// body as one string against server/http/parse-json-body.ts (pieces of at most 48 KiB), for
// ingest bodies of 25 to 400 spans. Over 128 KiB, V8 puts the one string in its large-object
// space, which costs page faults and an unmapping per request. Prints µs per body and the ratio.
//
//   npm run bench:json-body

import { parseJsonBody } from '../server/http/parse-json-body';
import { makeBatch } from './lib/spans';
import { fmt, table, timePerCall } from './lib/stats';

const INGEST = 'mutation Ingest($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted rejected { index id reason } } }';

const rows: string[][] = [];
for (const spans of [25, 50, 100, 200, 400]) {
  const body = Buffer.from(JSON.stringify({ query: INGEST, variables: { spans: makeBatch('bench', 1, spans, Date.now()) } }));
  const whole = timePerCall(() => JSON.parse(body.toString('utf8')));
  const pieces = timePerCall(() => parseJsonBody(body));
  rows.push([String(spans), fmt(body.length / 1024, 0), fmt(whole, 0), fmt(pieces, 0), fmt(whole / pieces, 2)]);
}
console.log(`node ${process.version}; µs per body, main thread`);
console.log(table(['spans', 'KiB', 'JSON.parse µs', 'in pieces µs', 'speed-up'], rows));
