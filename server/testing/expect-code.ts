import { expect } from 'vitest';
import type { GraphQLResponse } from './test-app';

/** The request failed, and every error it got carries `code` (what a client branches on). */
export function expectCode(res: GraphQLResponse, code: string): void {
  expect(res.errors, `expected ${code}, got ${JSON.stringify(res.data)}`).toBeDefined();
  expect(res.errors!.length).toBeGreaterThan(0);
  expect(new Set(res.errors!.map((e) => e.extensions?.code))).toEqual(new Set([code]));
}
