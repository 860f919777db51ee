import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

// Hostile-input cases generated from the schema: every argument of every field reachable from
// the root types, down to every field of every input object and every list item, gets each
// class of bad value its type can receive. Nothing here names a field, so a field added later
// is covered without anyone remembering it. Used by schema/hostile-input.test.ts.

/** A value sent as raw JSON text (numbers JSON.parse turns into Infinity, very deep nesting). */
export class Raw {
  constructor(readonly json: string) {}
}

export interface HostileValue {
  /** The class: `NUL`, `lone surrogate`, `huge number`, `deep nesting`, `bad date`, `forged cursor`, `malformed id`, `wrong type`. */
  kind: string;
  label: string;
  value: unknown;
  /** True when the value cannot be valid here: an answer must refuse it with a code. */
  mustReject: boolean;
}

export interface HostileCase {
  /** `Type.field path: label`, unique, stable: what PENDING lists name. */
  name: string;
  operation: 'query' | 'mutation' | 'subscription';
  /** The root field this case enters by (ingest is sent with the ingest key). */
  rootField: string;
  query: string;
  /** Variables as raw JSON text (Raw values spliced in). */
  variablesJson: string;
  mustReject: boolean;
}

/** Baseline values, so that everything but the hostile value is valid and checks reach resolvers. */
export interface Baselines {
  /** `Type.field.arg` or `InputType.field` → value; consulted before the type defaults. */
  byCoordinate: Record<string, unknown>;
  /** Argument or input field name → value (e.g. projectId → the test project). */
  byName: Record<string, unknown>;
}

const deepArray = (depth: number) => new Raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const deepObject = (depth: number) => new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

/** The bad values a leaf of this named type (and argument guard) can receive. */
function valuesFor(typeName: string, extensions: Record<string, any> | null | undefined, isEnum: boolean): HostileValue[] {
  const v = (kind: string, label: string, value: unknown, mustReject = true): HostileValue => ({ kind, label, value, mustReject });
  const text = [v('NUL', 'NUL', 'a\u0000b'), v('lone surrogate', 'high surrogate', 'a\ud800b'), v('lone surrogate', 'low surrogate', '\udc00')];
  const shape = [v('deep nesting', 'nested arrays', deepArray(3000)), v('deep nesting', 'nested objects', deepObject(3000))];
  const clientMadeId = extensions?.tokentraceGuard?.id === 'client-made';
  if (isEnum) return [v('wrong type', 'unknown value', 'NOT_A_VALUE'), ...text.slice(0, 1), v('huge number', 'number', 2 ** 53 + 1), ...shape];
  switch (typeName) {
    case 'String': {
      const cursors = extensions?.tokentraceGuard?.cursor
        ? [
            v('forged cursor', 'date before timestamptz', cursor(['-271821-04-20T00:00:00.000Z', 'x'])),
            v('forged cursor', 'tagged, date before timestamptz', cursor(['trace', '-271821-04-20T00:00:00.000Z', 'x'])),
            v('forged cursor', 'date after year 9999', cursor(['trace', '+275760-09-13T00:00:00.000Z', 'x'])),
            v('forged cursor', 'NUL id', cursor(['trace', '2026-11-01T10:00:00.000Z', 'x\u0000'])),
            v('forged cursor', 'id beyond int8', cursor(['audit', '99999999999999999999'])),
            v('forged cursor', 'not base64 JSON', '%%%not a cursor%%%'),
          ]
        : [];
      return [...text, ...cursors, v('huge number', 'number', 1e300), ...shape];
    }
    case 'ID': {
      const malformed = ['not-a-uuid', "1' or '1'='1", '', '00000000-0000-0000-0000-00000000000g', 'x'.repeat(4096)].map((id) =>
        v('malformed id', JSON.stringify(id.length > 40 ? `${id.slice(0, 8)}…(${id.length})` : id), id, !clientMadeId),
      );
      return [...text, ...malformed, v('huge number', 'integer beyond 2^63', new Raw('123456789012345678901234567890'), !clientMadeId), ...shape];
    }
    case 'Int':
      return [
        v('huge number', '2^31', 2 ** 31),
        v('huge number', '-2^31 - 1', -(2 ** 31) - 1),
        v('huge number', '2^53 + 1', new Raw('9007199254740993')),
        v('huge number', '1e400 (Infinity)', new Raw('1e400')),
        v('huge number', 'largest 32-bit', 2 ** 31 - 1, false),
        v('huge number', 'smallest 32-bit', -(2 ** 31), false),
        v('wrong type', 'fraction', 1.5),
        ...shape,
      ];
    case 'Float':
      return [
        v('huge number', '1e400 (Infinity)', new Raw('1e400')),
        v('huge number', '-1e400 (-Infinity)', new Raw('-1e400')),
        v('huge number', 'largest double', Number.MAX_VALUE, false),
        v('wrong type', 'NaN as text', 'NaN'),
        ...shape,
      ];
    case 'Boolean':
      return [v('huge number', 'number', 2 ** 53 + 1), v('wrong type', 'text', 'true'), ...shape];
    case 'DateTime':
      return [
        ...text,
        v('bad date', 'not a date', 'not-a-date'),
        v('bad date', 'February 30', '2026-02-30T00:00:00Z'),
        v('bad date', 'month 13', '2026-13-01T00:00:00Z'),
        v('bad date', 'no time zone', '2026-11-01T10:00:00'),
        v('bad date', 'earliest JavaScript date', '-271821-04-20T00:00:00.000Z'),
        v('bad date', 'latest JavaScript date', '+275760-09-13T00:00:00.000Z'),
        v('bad date', 'year 0', '0000-01-01T00:00:00Z'),
        v('bad date', 'offset +99:00', '2026-11-01T00:00:00+99:00'),
        v('huge number', 'epoch milliseconds', 253402300800000),
        ...shape,
      ];
    case 'JSON':
      // Any JSON is a JSON value: whether each is cleaned or refused is the field's choice.
      return [
        v('NUL', 'NUL in a string', { note: 'a\u0000b' }, false),
        v('NUL', 'NUL in a key', { 'a\u0000b': 1 }, false),
        v('lone surrogate', 'in a string', { note: 'a\ud800b' }, false),
        v('huge number', '1e400 (Infinity)', new Raw('{"n":1e400}'), false),
        v('deep nesting', '5,000 levels', deepObject(5000), false),
      ];
    default:
      return [v('wrong type', 'object', { nested: true }), ...text.slice(0, 1), ...shape];
  }
}

interface Leaf {
  /** Path inside the argument value: field names and list indexes. */
  path: (string | number)[];
  values: HostileValue[];
}

/** Every position inside a value of `type` where a hostile value can go, the value itself first. */
function leaves(type: GraphQLInputType, extensions: Record<string, any> | null | undefined, path: (string | number)[], seen: Set<string>): Leaf[] {
  if (isNonNullType(type)) return leaves(type.ofType, extensions, path, seen);
  if (isListType(type)) {
    const shape = [{ kind: 'deep nesting', label: 'nested arrays', value: deepArray(3000), mustReject: true }];
    return [{ path, values: shape }, ...leaves(type.ofType, extensions, [...path, 0], seen)];
  }
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return [];
    const inner = new Set(seen).add(type.name);
    const self: Leaf = { path, values: valuesFor('object', null, false).filter((v) => v.kind !== 'NUL') };
    return [self, ...Object.values(type.getFields()).flatMap((f) => leaves(f.type, f.extensions, [...path, f.name], inner))];
  }
  return [{ path, values: valuesFor(getNamedType(type).name, extensions, isEnumType(type)) }];
}

function baselineFor(type: GraphQLInputType, coordinate: string, name: string, b: Baselines, requiredOnly = true): unknown {
  if (Object.hasOwn(b.byCoordinate, coordinate)) return b.byCoordinate[coordinate];
  if (Object.hasOwn(b.byName, name)) return b.byName[name];
  if (isNonNullType(type)) return baselineFor(type.ofType, coordinate, name, b, requiredOnly);
  if (isListType(type)) return [baselineFor(type.ofType, coordinate, name, b)];
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => !requiredOnly || isNonNullType(f.type));
    return Object.fromEntries(fields.map((f) => [f.name, baselineFor(f.type, `${type.name}.${f.name}`, f.name, b)]));
  }
  if (isEnumType(type)) return type.getValues()[0]!.value;
  const scalar = getNamedType(type).name;
  const defaults: Record<string, unknown> = { String: 'hostile-test', ID: '6f1c2a9e-3b7d-4c41-9a55-0e8f2d6b7a10', Int: 10, Float: 1, Boolean: true, DateTime: '2026-11-01T00:00:00.000Z', JSON: {} };
  return defaults[scalar] ?? null;
}

/** Puts `value` at `path` inside a copy of `base`, creating baseline containers on the way. */
function withValueAt(base: unknown, type: GraphQLInputType, path: (string | number)[], value: unknown, b: Baselines): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const list = Array.isArray(base) ? [...base] : [baselineFor(inner.ofType, '', '', b)];
    list[head as number] = withValueAt(list[head as number], inner.ofType, rest, value, b);
    return list;
  }
  if (!isInputObjectType(inner)) throw new Error(`no field ${String(head)} in ${String(type)}`);
  const field = inner.getFields()[head as string]!;
  const obj = { ...(base as Record<string, unknown>) };
  const current = obj[field.name] ?? baselineFor(field.type, `${inner.name}.${field.name}`, field.name, b);
  obj[field.name] = withValueAt(current, field.type, rest, value, b);
  return obj;
}

/** JSON text for variables, with Raw values spliced in as they are. */
function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => (v instanceof Raw ? `\u0001RAW${raws.push(v.json) - 1}\u0001` : v));
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]!);
}

const selectionFor = (field: GraphQLField<unknown, unknown>) => (isObjectType(getNamedType(field.type)) ? ' { __typename }' : '');

interface Entry {
  /** Opens the document down to the type that holds the field, e.g. `project(id: "…") {`. */
  open: string;
  close: string;
  /** The root field the path starts with. */
  rootField: string | undefined;
}

/**
 * How each object type with argument-taking fields is reached from a root: breadth first
 * through fields whose own arguments all have baselines (e.g. Project via `project(id:)`).
 */
function entries(root: GraphQLObjectType, b: Baselines): Map<string, Entry> {
  const found = new Map<string, Entry>([[root.name, { open: '', close: '', rootField: undefined }]]);
  const queue: GraphQLObjectType[] = [root];
  while (queue.length > 0) {
    const type = queue.shift()!;
    const entry = found.get(type.name)!;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || found.has(target.name)) continue;
      const args = field.args
        .filter((a) => isNonNullType(a.type))
        .map((a) => `${a.name}: ${toJsonText(baselineFor(a.type, `${type.name}.${field.name}.${a.name}`, a.name, b))}`);
      const call = args.length ? `${field.name}(${args.join(', ')})` : field.name;
      found.set(target.name, { open: `${entry.open}${call} { `, close: ` }${entry.close}`, rootField: entry.rootField ?? field.name });
      queue.push(target);
    }
  }
  return found;
}

function casesForField(
  operation: HostileCase['operation'],
  rootField: string,
  owner: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  entry: Entry,
  b: Baselines,
): HostileCase[] {
  const cases: HostileCase[] = [];
  const varDefs = field.args.map((a, i) => `$a${i}: ${String(a.type)}`).join(', ');
  const call = `${field.name}(${field.args.map((a, i) => `${a.name}: $a${i}`).join(', ')})${selectionFor(field)}`;
  const query = `${operation} Hostile(${varDefs}) { ${entry.open}${call}${entry.close} }`;
  const base = (arg: GraphQLArgument) => baselineFor(arg.type, `${owner.name}.${field.name}.${arg.name}`, arg.name, b);
  field.args.forEach((arg, target) => {
    // An argument whose items its resolver checks one by one (ingest's spans) may clean a bad
    // value or reject the item by index rather than refuse the request: inside it, no internal
    // error is all that is asked.
    const perItem = (arg.extensions as { tokentraceGuard?: { perItem?: boolean } }).tokentraceGuard?.perItem === true;
    for (const leaf of leaves(arg.type, arg.extensions, [], new Set())) {
      for (const hostile of leaf.values) {
        const variables = Object.fromEntries(
          field.args.map((a, i) => [`a${i}`, i === target ? withValueAt(base(a), a.type, leaf.path, hostile.value, b) : base(a)]),
        );
        const where = [arg.name, ...leaf.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))].join('');
        cases.push({
          name: `${owner.name}.${field.name} ${where}: ${hostile.kind} (${hostile.label})`,
          operation,
          rootField,
          query,
          variablesJson: toJsonText(variables),
          mustReject: hostile.mustReject && !(perItem && leaf.path.length > 0),
        });
      }
    }
  });
  return cases;
}

/** Every case for every argument of every field reachable from Query, Mutation and Subscription. */
export function generateHostileCases(schema: GraphQLSchema, b: Baselines): HostileCase[] {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  const cases: HostileCase[] = [];
  for (const [operation, root] of roots) {
    if (!root) continue;
    for (const [typeName, entry] of entries(root, b)) {
      const type = schema.getType(typeName) as GraphQLObjectType;
      // Nested types are entered from the query root only: mutations return what queries read.
      if (operation !== 'query' && type !== root) continue;
      for (const field of Object.values(type.getFields())) {
        if (field.args.length === 0) continue;
        const rootField = entry.rootField ?? field.name;
        cases.push(...casesForField(operation, rootField, type, field, entry, b));
      }
    }
  }
  return cases;
}

/** The argument-taking fields the generator reached, as `Type.field` (for the coverage check). */
export function coveredFields(cases: HostileCase[]): Set<string> {
  return new Set(cases.map((c) => c.name.split(' ')[0]!));
}
