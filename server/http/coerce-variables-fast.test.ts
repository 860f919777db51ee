import { inspect } from 'node:util';
import { buildSchema, execute, GraphQLError, GraphQLScalarType, parse, type ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema as tokentraceSchema } from '../../schema/index';
import { coerceVariablesFast } from './coerce-variables-fast';
import { executeMutation } from './use-graphql-js-for-mutations';

// The fast path must be invisible: for any variables, executing with it gives what graphql-js gives
// alone — the same values (prototype and key order included) or the same errors.

const testSchema = buildSchema(`
  scalar JSON
  scalar Even
  enum Color { RED GREEN }
  input Inner { n: Int!, tags: [String!], color: Color = RED, f: Float }
  input Outer { id: ID!, inner: Inner, inners: [Inner!]!, grid: [[Int]], even: Even, b: Boolean, json: JSON, s: String = "dflt" }
  input Choice @oneOf { a: Int, b: String }
  type Query { ok: Boolean }
  type Mutation {
    echo(outer: Outer, outers: [Outer!], n: Int, choice: Choice, color: Color, list: [Int!]!): String
  }
`);
(testSchema.getType('JSON') as GraphQLScalarType).parseValue = (v) => v;
(testSchema.getType('Even') as GraphQLScalarType).parseValue = (v) => {
  if (typeof v !== 'number' || v % 2 !== 0) throw new GraphQLError('not even');
  return v / 2;
};
const rootValue = { echo: (args: unknown) => inspect(args, { depth: null, sorted: false }) };

const DOCS = [
  'mutation($outer: Outer, $n: Int) { echo(outer: $outer, n: $n, list: [1]) }',
  'mutation($outers: [Outer!], $list: [Int!]!) { echo(outers: $outers, list: $list) }',
  'mutation($choice: Choice, $color: Color, $list: [Int!]! = [7]) { echo(choice: $choice, color: $color, list: $list) }',
  'mutation($id: ID!, $inner: Inner) { echo(outer: { id: $id, inners: [], inner: $inner }, list: [2]) }',
].map((text) => parse(text));

function randomVariables(next: () => number): Record<string, unknown> {
  // The first choice is valid: mostly it, so that whole variables are often valid too.
  const pick = <T>(xs: T[]): T => (next() < 0.85 ? xs[0]! : xs[Math.floor(next() * xs.length)]!);
  const inner = () => {
    const o: Record<string, unknown> = {};
    if (next() < 0.93) o.n = pick([1, -3, 2 ** 31, 1.5, '4', null, 0]);
    if (next() < 0.5) o.tags = pick([['a', 'b'], 'solo', [null], [], [1], null]);
    if (next() < 0.4) o.color = pick(['RED', 'GREEN', 'BLUE', 1, null]);
    if (next() < 0.3) o.f = pick([1, 2.5, '2.5', NaN, null]);
    if (next() < 0.01) o.extra = 1;
    return o;
  };
  const outer = () => {
    const o: Record<string, unknown> = {};
    if (next() < 0.95) o.id = pick(['x', 7, 7.5, true, null]);
    if (next() < 0.5) o.inner = next() < 0.9 ? inner() : pick(['str', [inner()], null]);
    if (next() < 0.95) o.inners = next() < 0.8 ? Array.from({ length: Math.floor(next() * 3) }, inner) : next() < 0.5 ? inner() : [null];
    if (next() < 0.3) o.grid = pick([[[1, 2], [null]], [1, 2], 3, [[1.5]], null]);
    if (next() < 0.3) o.even = pick([2, 3, 'x', null]);
    if (next() < 0.3) o.b = pick([true, 0, 'true', null]);
    if (next() < 0.3) o.json = pick([{ any: [1, { deep: null }] }, 'text', null]);
    if (next() < 0.3) o.s = pick(['given', null, 5]);
    if (next() < 0.01) o.unknown = 'x';
    return o;
  };
  const vars: Record<string, unknown> = {};
  if (next() < 0.9) vars.outer = next() < 0.95 ? outer() : pick([null, 'str', []]);
  if (next() < 0.7) vars.outers = next() < 0.9 ? Array.from({ length: Math.floor(next() * 3) }, outer) : outer();
  if (next() < 0.5) vars.n = pick([1, 2 ** 40, '1', null]);
  if (next() < 0.1) vars.choice = pick([{ a: 1 }, { b: 'x' }, { a: 1, b: 'x' }, { a: null }, {}]);
  if (next() < 0.5) vars.color = pick(['RED', 'GREEN', 'red', null]);
  if (next() < 0.8) vars.list = pick([[1, 2], 3, [], [null], null, ['1']]);
  if (next() < 0.7) vars.id = pick(['id', 3, null, {}]);
  if (next() < 0.5) vars.inner = inner();
  return vars;
}

describe('fast variable coercion', () => {
  it('gives what graphql-js gives, values and errors, over random variables of every kind', async () => {
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let fast = 0;
    for (let round = 0; round < 3_000; round++) {
      const document = DOCS[round % DOCS.length]!;
      const variableValues = randomVariables(next);
      const args: ExecutionArgs = { schema: testSchema, document, rootValue, variableValues };
      if (coerceVariablesFast(testSchema, document, undefined, variableValues)) fast++;
      const expected = JSON.stringify(await execute(args));
      const actual = JSON.stringify(await executeMutation(args));
      if (actual !== expected) expect.fail(`differs for ${inspect(variableValues, { depth: null })}:\n${actual}\n${expected}`);
    }
    // Both paths were taken many times.
    expect(fast).toBeGreaterThan(300);
    expect(fast).toBeLessThan(2_700);
  });

  it('takes the fast path for a well-formed ingest batch and leaves a bad one to graphql-js', () => {
    const document = parse('mutation Ingest($spans: [SpanInput!]!) { ingest(spans: $spans) { accepted } }');
    const span = { id: 's1', traceId: 't1', name: 'chat', kind: 'GENERATION', startTime: '2026-11-01T00:00:00Z', input: { messages: [] }, promptTokens: 3 };
    const coerced = coerceVariablesFast(tokentraceSchema, document, 'Ingest', { spans: [span] });
    expect(coerced?.variableValues.spans).toEqual([span]);
    expect(coerceVariablesFast(tokentraceSchema, document, 'Ingest', { spans: [{ ...span, promptTokens: 'three' }] })).toBeUndefined();
    expect(coerceVariablesFast(tokentraceSchema, document, 'Ingest', { spans: [{ ...span, unknownField: 1 }] })).toBeUndefined();
    expect(coerceVariablesFast(tokentraceSchema, document, 'Ingest', {})).toBeUndefined();
  });
});
