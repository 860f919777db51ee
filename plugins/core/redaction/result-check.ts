import type { RedactionResult } from './types.js';

/** A redactor's answer as the contract wants it: a string and a non-negative integer count. */
export function isRedactionResult(result: unknown): result is RedactionResult {
  if (typeof result !== 'object' || result === null) return false;
  const r = result as Partial<RedactionResult>;
  return typeof r.text === 'string' && Number.isSafeInteger(r.hits) && (r.hits as number) >= 0;
}
