import { setOwn } from '../clean-values';
import { MAX_JSON_DEPTH } from '../ingest-limits';

// OTLP values as protobufjs decodes them (the same for protobuf and, through ProtoJSON, for
// OTLP/JSON) → plain JSON values. int64 fields arrive as protobufjs Long objects (or numbers and
// decimal strings from JSON); bytes as Uint8Array.

export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

export interface OtlpAnyValue {
  /** The name of the field the `value` oneof holds (protobufjs' oneof getter). */
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: LongLike | number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] } | null;
  kvlistValue?: { values?: OtlpKeyValue[] } | null;
  bytesValue?: Uint8Array;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue | null;
}

export class AttributeTooDeepError extends Error {
  override name = 'AttributeTooDeepError';
}

const isLong = (v: unknown): v is LongLike => typeof v === 'object' && v !== null && 'low' in v && 'high' in v;

/** A signed int64 as a JS number when it is exact, else as its decimal string. */
export function int64ToJson(value: LongLike | number | string | undefined): number | string | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  const big = (BigInt(value.high) << 32n) | BigInt(value.low >>> 0);
  const signed = value.unsigned ? big : BigInt.asIntN(64, big);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed.toString();
}

/** An unsigned fixed64 of nanoseconds since the epoch → milliseconds (0 when unset). */
export function unixNanosToMillis(value: LongLike | number | string | undefined | null): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value / 1e6;
  if (typeof value === 'string') return Number(value) / 1e6;
  // Doubles hold 53 bits; the sub-microsecond part lost here is below what we store.
  return ((value.high >>> 0) * 4294967296 + (value.low >>> 0)) / 1e6;
}

const VALUE_FIELDS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue']);

/**
 * Which field of the `value` oneof is set: protobufjs messages (binary decode) answer through the
 * oneof getter, while their unset fields read as defaults; ProtoJSON gives plain objects that
 * hold only the fields that were sent.
 */
function setField(any: OtlpAnyValue): string | undefined {
  if (typeof any.value === 'string') return any.value;
  for (const key in any) if (VALUE_FIELDS.has(key) && (any as Record<string, unknown>)[key] != null) return key;
  return undefined;
}

/** An AnyValue as JSON; throws AttributeTooDeepError past MAX_JSON_DEPTH levels. */
export function anyValueToJson(any: OtlpAnyValue | null | undefined, depthLeft = MAX_JSON_DEPTH): unknown {
  if (!any) return null;
  switch (setField(any)) {
    case 'stringValue':
      return any.stringValue ?? '';
    case 'boolValue':
      return any.boolValue ?? false;
    case 'intValue':
      return isLong(any.intValue) || typeof any.intValue !== 'object' ? int64ToJson(any.intValue) : null;
    case 'doubleValue': {
      const d = any.doubleValue ?? 0;
      // JSON has no NaN or Infinity.
      return Number.isFinite(d) ? d : String(d);
    }
    case 'bytesValue':
      return Buffer.from(any.bytesValue ?? new Uint8Array()).toString('base64');
    case 'arrayValue':
      if (depthLeft <= 0) throw new AttributeTooDeepError();
      return (any.arrayValue?.values ?? []).map((v) => anyValueToJson(v, depthLeft - 1));
    case 'kvlistValue':
      if (depthLeft <= 0) throw new AttributeTooDeepError();
      return keyValuesToObject(any.kvlistValue?.values ?? [], depthLeft - 1);
    default:
      return null;
  }
}

export function keyValuesToObject(values: readonly OtlpKeyValue[], depthLeft = MAX_JSON_DEPTH): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of values) setOwn(out, kv.key, anyValueToJson(kv.value, depthLeft));
  return out;
}
