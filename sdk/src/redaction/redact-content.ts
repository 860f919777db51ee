import { piiRedactors } from '../../../plugins/redaction/pii-rules.js';

// Client-side redaction: applied when a span ends, in the app's process, so content the
// options exclude never reaches the transport, let alone the network.
//
// The PII rules are the server's own module (plugins/redaction/pii-rules.ts), compiled into the
// package (see tsconfig.build.json). The JSON walk is the SDK's: the server's redact-json.ts
// carries a time budget and imports the plugin contract's checks through extensionless paths
// that Node cannot load from a published package. The semantics match it: strings at any depth
// are redacted, object keys are left alone, an integer of card length is checked as digits.
//
// The walk also freezes the content: it returns a fresh JSON-safe structure, so an app that
// mutates its messages array after the call does not change what was recorded.

export type ContentField = 'input' | 'output' | 'metadata';

/** Smallest integer with 13 digits: below it no card number fits. */
const CARD_MIN = 1e12;
const MAX_DEPTH = 64;

export class ContentError extends Error {
  override readonly name = 'ContentError';
}

function redactText(text: string, field: ContentField, spanId: string): string {
  const ctx = { projectId: '', spanId, field, piiRedaction: true };
  let out = text;
  for (const redactor of piiRedactors) out = redactor.redact(out, ctx).text;
  return out;
}

/**
 * A JSON-safe copy of `value`, with the PII rules applied to every string when `pii` is set.
 * Follows JSON.stringify: `toJSON()` is honoured, functions/symbols/undefined in objects are
 * dropped (null in arrays), a bigint becomes its decimal string. Throws `ContentError` on a cycle
 * or excessive depth — the caller then drops the content rather than send it unredacted.
 */
export function prepareContent(value: unknown, pii: boolean, field: ContentField, spanId: string): unknown {
  const ancestors = new Set<object>();

  const walk = (v: unknown, depth: number): unknown => {
    switch (typeof v) {
      case 'string':
        return pii ? redactText(v, field, spanId) : v;
      case 'number':
        if (!Number.isFinite(v)) return null;
        if (pii && Number.isSafeInteger(v) && Math.abs(v) >= CARD_MIN) {
          const digits = String(v);
          const redacted = redactText(digits, field, spanId);
          return redacted === digits ? v : redacted;
        }
        return v;
      case 'bigint': {
        const digits = v.toString();
        return pii ? redactText(digits, field, spanId) : digits;
      }
      case 'boolean':
        return v;
      case 'object':
        if (v === null) return null;
        return walkObject(v, depth);
      default:
        return undefined; // function, symbol, undefined
    }
  };

  const walkObject = (obj: object, depth: number): unknown => {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(obj), depth);
    if (depth > MAX_DEPTH) throw new ContentError(`content nested deeper than ${MAX_DEPTH} levels`);
    if (ancestors.has(obj)) throw new ContentError('content has a cycle');
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const out = new Array<unknown>(obj.length);
        for (let i = 0; i < obj.length; i++) {
          const item = walk(obj[i], depth + 1);
          out[i] = item === undefined ? null : item;
        }
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(obj)) {
        const item = walk((obj as Record<string, unknown>)[key], depth + 1);
        // defineProperty, so a `__proto__` key stays data instead of becoming the prototype.
        if (item !== undefined) Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(obj);
    }
  };

  return walk(value, 0);
}

/** A single string through the PII rules (status messages). */
export function redactMessage(text: string, spanId: string): string {
  return redactText(text, 'metadata', spanId);
}
