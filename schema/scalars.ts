import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLBigInt } from 'graphql-scalars';
import { isStorableDate } from '../server/services/storable-date';

// DateTime: ISO-8601 with a time zone (`Z` or `±hh:mm`) on the way in, so a client's local
// time is never silently read as the server's; always UTC ISO on the way out.
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function parseDateTime(value: unknown): Date {
  const parts = typeof value === 'string' ? ISO_WITH_ZONE.exec(value) : null;
  if (!parts) {
    throw new GraphQLError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00.000Z');
  }
  // `new Date` rolls impossible fields over (February 30 becomes March 2): check each one first.
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = parts
    .slice(1)
    .map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const fieldsReal =
    month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth(year!, month!) &&
    hour! <= 23 && minute! <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  const date = new Date(value as string);
  if (!fieldsReal || Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime "${value}" is not a real date`);
  if (!isStorableDate(date)) throw new GraphQLError(`DateTime "${value}" is outside the years 0001 to 9999`);
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 date and time with a time zone; returned in UTC.',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

export function literalToJson(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('JSON cannot represent this value');
  }
}

export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});

// SpanTime: a span's times in SpanInput. The same ISO-8601 form as DateTime, but a bad value is
// not a GraphQL error: it passes through, and ingest's validate stage rejects that one span by
// its index (IngestResult.rejected). With DateTime a single "not-a-date" from one instrumented
// app failed variable coercion for the whole batch, and the SDK resent the batch forever.
// Clients see no difference for good values; the SDK maps it to string like DateTime.
export const SpanTimeScalar = new GraphQLScalarType<unknown, string>({
  name: 'SpanTime',
  description:
    'A span time in SpanInput: ISO-8601 with a time zone, like DateTime. A value that is not one rejects only its span (IngestResult.rejected), not the request.',
  serialize: (value) => DateTimeScalar.serialize(value),
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalToJson(ast, variables),
});

// Counts and totals of stored data (tokens summed over a trace, spans per bucket, rows matched):
// GraphQL's Int stops at 2^31 − 1, and one trace can hold more tokens than that. graphql-scalars'
// BigInt sends a whole number as a JSON number while it is a safe integer (up to 2^53 − 1) and
// as a decimal string beyond, so no stored total can fail a response. Values beyond 2^53 − 1 are
// turned into that string here, because the library would also print a warning about them on
// the console, outside our logs.
const bigInt = GraphQLBigInt.toConfig();
const isUnsafeWhole = (value: unknown): value is number | bigint =>
  (typeof value === 'bigint' && (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))) ||
  (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value));

export const BigIntScalar = new GraphQLScalarType({
  ...bigInt,
  description:
    'A whole number that may exceed 32 bits (GraphQL `Int` stops at 2^31 − 1). Sent as a JSON number up to 2^53 − 1, as a decimal string beyond. Used for counts and totals of stored data.',
  serialize: (value) => (isUnsafeWhole(value) ? BigInt(value).toString() : bigInt.serialize(value)),
});
