import {
  getOperationAST,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { SpansReadInWorker } from '../services/ingest/read-spans';

// graphql-js's variable coercion, for the request whose variables coerce without a single error —
// every ingest batch that is well formed. graphql-js's own (coerceInputValue) builds a path
// object per field and list item and an error callback per variable for the error it might
// report: for a batch of 100 spans that was the largest GraphQL cost of ingest (7% of the server's
// main thread, bench:ingest --cpu-prof). This walk gives the same values in the same shape, field
// order included, calling every scalar's and enum's own parseValue; at the first thing it does
// not accept it gives up, and graphql-js coerces the variables again and words the error.
//
// The coerced values then reach graphql-js through a copy of the document whose variables are
// declared as the JSON scalar (its parseValue returns its input): graphql-js coerces each variable
// by its declared type and passes coerced variables to arguments as they are (valueFromAST), so
// execution sees exactly the values it would have coerced itself. The document was validated, as
// sent, before execution; the copy is never validated or shown.

const GIVE_UP = Symbol('give up');

/** A pass-through scalar of the schema that the copy declares variables as. */
const PASS_THROUGH_SCALAR = 'JSON';

interface PreparedOperation {
  variables: { name: string; type: GraphQLInputType }[];
  /** The document with every variable of this operation declared as PASS_THROUGH_SCALAR. */
  passThrough: DocumentNode;
}

// Per schema and parsed document (yoga caches documents, so a batch's mutation text maps to one
// DocumentNode); null: not for this path.
const prepared = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, PreparedOperation | null>>>();
const fieldLists = new WeakMap<GraphQLInputObjectType, GraphQLInputField[]>();

/**
 * The document and coerced variables to execute instead, or undefined when graphql-js must coerce
 * them itself (a value it would refuse, a variable left to its default, a document this path does
 * not handle).
 */
export function coerceVariablesFast(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  inputs: unknown,
): { document: DocumentNode; variableValues: Record<string, unknown> } | undefined {
  const operation = prepare(schema, document, operationName);
  if (!operation) return undefined;
  if (operation.variables.length > 0 && (typeof inputs !== 'object' || inputs === null)) return undefined;
  const values = inputs as Record<string, unknown>;
  const coerced: Record<string, unknown> = Object.create(null);
  for (const { name, type } of operation.variables) {
    // Absent or undefined: graphql-js applies the default or reports the missing variable.
    if (!Object.hasOwn(values, name) || values[name] === undefined) return undefined;
    const value = coerce(values[name], type);
    if (value === GIVE_UP) return undefined;
    coerced[name] = value;
  }
  return { document: operation.passThrough, variableValues: coerced };
}

function prepare(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): PreparedOperation | null {
  let byDocument = prepared.get(schema);
  if (!byDocument) prepared.set(schema, (byDocument = new WeakMap()));
  let byName = byDocument.get(document);
  if (!byName) byDocument.set(document, (byName = new Map()));
  const key = operationName ?? '';
  let operation = byName.get(key);
  if (operation === undefined) byName.set(key, (operation = prepareOperation(schema, document, operationName)));
  return operation;
}

function prepareOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): PreparedOperation | null {
  const passThroughType = schema.getType(PASS_THROUGH_SCALAR);
  const probe = {};
  if (!isScalarType(passThroughType) || passThroughType.parseValue(probe) !== probe) return null;
  const operation = getOperationAST(document, operationName);
  if (!operation?.variableDefinitions) return null;
  const variables: PreparedOperation['variables'] = [];
  for (const definition of operation.variableDefinitions) {
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) return null;
    variables.push({ name: definition.variable.name.value, type });
  }
  const passThroughOperation: OperationDefinitionNode = {
    ...operation,
    variableDefinitions: operation.variableDefinitions.map((definition) => ({
      ...definition,
      type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: PASS_THROUGH_SCALAR } },
    })),
  };
  return {
    variables,
    passThrough: { ...document, definitions: document.definitions.map((d) => (d === operation ? passThroughOperation : d)) },
  };
}

/** graphql-js's coerceInputValueImpl without error reporting: GIVE_UP wherever it would report one. */
function coerce(value: unknown, type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return value == null ? GIVE_UP : coerce(value, type.ofType);
  if (value == null) return null;
  if (isListType(type)) {
    // Spans the GraphQL read worker already coerced, mapped and validated (graphql-read-pool.ts):
    // they reach the ingest resolver as they are.
    if (value instanceof SpansReadInWorker) return value;
    if (Array.isArray(value)) {
      const items = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const item = coerce(value[i], type.ofType);
        if (item === GIVE_UP) return GIVE_UP;
        items[i] = item;
      }
      return items;
    }
    // Other iterables (never in JSON variables) are left to graphql-js.
    if (typeof value === 'object' && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') return GIVE_UP;
    // A list accepts a non-list value as a list of one.
    const item = coerce(value, type.ofType);
    return item === GIVE_UP ? GIVE_UP : [item];
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value) || type.isOneOf) return GIVE_UP;
    const input = value as Record<string, unknown>;
    const fieldDefs = type.getFields();
    // graphql-js builds it on a prototype-less object, then spreads that into a plain one: the same
    // plain object, own properties in field order, as assigning them to `{}` — no field can be
    // named `__proto__` (names starting with `__` are reserved; graphql-js refuses such a schema).
    const coerced: Record<string, unknown> = {};
    for (const field of fieldsOf(type)) {
      const fieldValue = input[field.name];
      if (fieldValue === undefined) {
        if (field.defaultValue !== undefined) coerced[field.name] = field.defaultValue;
        else if (isNonNullType(field.type)) return GIVE_UP;
        continue;
      }
      const fieldCoerced = coerce(fieldValue, field.type);
      if (fieldCoerced === GIVE_UP) return GIVE_UP;
      coerced[field.name] = fieldCoerced;
    }
    for (const name of Object.keys(input)) if (!fieldDefs[name]) return GIVE_UP;
    return coerced;
  }
  if (isLeafType(type)) {
    let parsed: unknown;
    try {
      parsed = type.parseValue(value);
    } catch {
      return GIVE_UP;
    }
    return parsed === undefined ? GIVE_UP : parsed;
  }
  return GIVE_UP;
}

function fieldsOf(type: GraphQLInputObjectType): GraphQLInputField[] {
  let fields = fieldLists.get(type);
  if (!fields) fieldLists.set(type, (fields = Object.values(type.getFields())));
  return fields;
}
