import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

// DateTime: ISO-8601 with a time zone (`Z` or `±hh:mm`) on the way in, so a client's local
// time is never silently read as the server's; always UTC ISO on the way out.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_WITH_ZONE.test(value)) {
    throw new GraphQLError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00.000Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime "${value}" is not a real date`);
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
