import { afterEach, describe, expect, it } from 'vitest';
import { identityCodec } from '../../plugins/core/codec';
import type { PriceBook } from '../../server/prices/price-book';
import { SPAN_COLUMNS } from '../../server/db/repositories/spans';
import { startHttpFloor, type HttpFloor } from './http-floor';
import { insertStatement } from './raw-insert';
import { makeBatch } from './spans';

// The floor path must do the raw INSERT's work for the senders' GraphQL bodies, and answer as
// `ingest` does, or the senders would count its batches as failed.

const prices = { costFor: () => 0.25 } as unknown as PriceBook;
const PROJECT = '0f8fad5b-d9cb-469f-a165-70867728950e';

let floor: HttpFloor | undefined;
afterEach(async () => {
  await floor?.close();
  floor = undefined;
});

describe('raw INSERT behind HTTP (bench floor)', () => {
  it('writes one multi-row INSERT of the sent spans and answers as ingest does', async () => {
    const statements: { text: string; params: unknown[] }[] = [];
    floor = await startHttpFloor({ execute: async (text, params) => void statements.push({ text, params }), projectId: PROJECT, prices, codec: identityCodec });
    const spans = makeBatch('floortest', 3, 7, Date.UTC(2026, 0, 1));
    const res = await fetch(floor.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation', variables: { spans } }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { ingest: { accepted: 7, rejected: [] } } });
    expect(statements).toHaveLength(1);
    expect(statements[0]!.text).toBe(insertStatement(7));
    const params = statements[0]!.params;
    expect(params).toHaveLength(7 * SPAN_COLUMNS.length);
    const row = (i: number) => Object.fromEntries(SPAN_COLUMNS.map((c, k) => [c, params[i * SPAN_COLUMNS.length + k]]));
    spans.forEach((span, i) => {
      expect(row(i)).toMatchObject({ project_id: PROJECT, id: span.id, trace_id: span.traceId, cost_usd: 0.25 });
      // Content through the codec, as the server stores it.
      expect(JSON.parse(Buffer.from(row(i).input as Uint8Array).toString('utf8'))).toEqual(span.input);
    });
  });

  it('answers a failed INSERT with an error the senders report', async () => {
    floor = await startHttpFloor({ execute: async () => { throw new Error('relation is gone'); }, projectId: PROJECT, prices, codec: identityCodec });
    const res = await fetch(floor.endpoint, { method: 'POST', body: JSON.stringify({ variables: { spans: makeBatch('floortest', 0, 2, Date.UTC(2026, 0, 1)) } }) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ errors: [{ message: 'relation is gone' }] });
  });
});
