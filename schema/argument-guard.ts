import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from '../server/errors';
import { PAGE_CURSORS, type PageCursorKind } from '../server/services/page-cursor';
import { isUuid } from '../server/services/projects';
import { unstorableTextReason } from '../server/services/storable-text';

// Every argument of every field, checked in one place before its resolver (and before its
// authorization rules) runs. GraphQL's own coercion already guarantees the *type* of a value;
// this adds what the type cannot say and the database would otherwise trip over, surfacing as
// INTERNAL_SERVER_ERROR:
//
// - text (String, ID, and strings inside JSON) must be storable: no NUL, no lone surrogate;
// - an ID names a row by its UUID unless the argument says it is client-made (trace and span
//   ids are chosen by the client); a malformed one is BAD_USER_INPUT, not a failed uuid cast;
// - a page cursor (`after`) must decode with its connection's codec (server/services/page-cursor.ts);
// - JSON may nest at most MAX_JSON_DEPTH levels.
//
// Arguments opt out or refine through `extensions` on the Pothos argument (the helpers below).
// An argument whose items are validated one by one by its resolver (ingest's spans: one bad span
// is rejected by index while the others are stored) is left to it.

const MAX_JSON_DEPTH = 64;

interface ArgumentGuard {
  /** `client-made`: any storable text; otherwise (the default) a UUID. */
  id?: 'client-made';
  /** The connection whose cursor this argument carries. */
  cursor?: PageCursorKind;
  /** The resolver validates each item itself and rejects bad ones by index. */
  perItem?: true;
}

const guardOf = (node: GraphQLArgument | GraphQLInputField): ArgumentGuard =>
  ((node.extensions as { tokentraceGuard?: ArgumentGuard } | undefined)?.tokentraceGuard ?? {});

/** `extensions` of an ID argument or input field whose value the client chose (not a UUID). */
export const clientMadeId = { tokentraceGuard: { id: 'client-made' } satisfies ArgumentGuard };
/** `extensions` of a connection's `after` argument. */
export const pageCursorArgument = (cursor: PageCursorKind) => ({ tokentraceGuard: { cursor } satisfies ArgumentGuard });
/** `extensions` of an argument whose items the resolver validates and rejects one by one. */
export const checkedPerItem = { tokentraceGuard: { perItem: true } satisfies ArgumentGuard };

function checkText(text: string, path: string): void {
  const reason = unstorableTextReason(text);
  if (reason) throw badInput(`${path} contains ${reason}, which cannot be stored.`, { field: path });
}

function checkJson(value: unknown, path: string, depth: number): void {
  if (typeof value === 'string') return checkText(value, path);
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_JSON_DEPTH) throw badInput(`${path} nests deeper than ${MAX_JSON_DEPTH} levels.`, { field: path });
  for (const [key, item] of Object.entries(value)) {
    checkText(key, path);
    checkJson(item, `${path}.${key}`, depth + 1);
  }
}

function checkScalar(typeName: string, value: unknown, path: string, guard: ArgumentGuard): void {
  if (typeName === 'JSON') return checkJson(value, path, 0);
  if (typeof value !== 'string' || (typeName !== 'String' && typeName !== 'ID')) return;
  checkText(value, path);
  if (typeName === 'ID' && guard.id !== 'client-made' && !isUuid(value)) {
    throw badInput(`${path} is not a valid id: ids are UUIDs such as 6f1c2a9e-3b7d-4c41-9a55-0e8f2d6b7a10.`, { field: path });
  }
  if (guard.cursor) PAGE_CURSORS[guard.cursor].decode(value);
}

function checkValue(type: GraphQLInputType, value: unknown, path: string, guard: ArgumentGuard): void {
  if (value === null || value === undefined || guard.perItem) return;
  if (isNonNullType(type)) return checkValue(type.ofType, value, path, guard);
  if (isListType(type)) {
    if (Array.isArray(value)) value.forEach((item, i) => checkValue(type.ofType, item, `${path}[${i}]`, guard));
    return;
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      checkValue(field.type, (value as Record<string, unknown>)[field.name], `${path}.${field.name}`, guardOf(field));
    }
    return;
  }
  const named = getNamedType(type);
  if (isScalarType(named)) checkScalar(named.name, value, path, guard);
}

function checkArguments(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): void {
  for (const arg of field.args) checkValue(arg.type, args[arg.name], arg.name, guardOf(arg));
}

/** Wraps the resolver (and subscriber) of every field that takes arguments; returns the same schema. */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        checkArguments(field, args);
        return resolve(source, args, ctx, info);
      };
      const subscribe = field.subscribe;
      if (subscribe) {
        field.subscribe = (source, args, ctx, info) => {
          checkArguments(field, args);
          return subscribe(source, args, ctx, info);
        };
      }
    }
  }
  return schema;
}
