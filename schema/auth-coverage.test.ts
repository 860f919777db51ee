import { isObjectType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from './index';

// Every field must be covered by a scope-auth rule, on the field or on its type, so that a new
// field cannot ship readable by everyone by accident (the architecture's rule: who sees what is
// written on the schema). Pothos keeps the builder options on the built schema, in
// `extensions.pothosOptions` of each type and field; that is what scope-auth itself reads.

/**
 * `Type.field` entries that are deliberately public. Keep it short and say why for each; a
 * field missing a rule is a bug to fix in the schema, not a reason to add it here.
 */
const ALLOW_LIST: ReadonlyMap<string, string> = new Map<string, string>([]);

interface PothosOptions {
  authScopes?: unknown;
  skipTypeScopes?: boolean;
}

function pothosOptions(extensions: unknown): PothosOptions {
  const options = (extensions as { pothosOptions?: PothosOptions } | null | undefined)?.pothosOptions;
  return options ?? {};
}

/** A rule is a scope map with at least one entry, or a function (evaluated per request). */
function isRule(authScopes: unknown): boolean {
  if (typeof authScopes === 'function') return true;
  if (authScopes && typeof authScopes === 'object') return Object.keys(authScopes).length > 0;
  // `authScopes: true` is not a scope map; scope-auth has no notion of "allow all" here.
  return false;
}

function typeHasRule(type: GraphQLObjectType): boolean {
  return isRule(pothosOptions(type.extensions).authScopes);
}

function fieldIsCovered(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): boolean {
  const options = pothosOptions(field.extensions);
  if (isRule(options.authScopes)) return true;
  // skipTypeScopes turns the type's rule off for this one field, so it cannot count.
  return typeHasRule(type) && options.skipTypeScopes !== true;
}

function objectTypes(): GraphQLObjectType[] {
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function uncoveredFields(): string[] {
  const uncovered: string[] = [];
  for (const type of objectTypes()) {
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      if (!fieldIsCovered(type, field) && !ALLOW_LIST.has(name)) uncovered.push(name);
    }
  }
  return uncovered;
}

describe('auth coverage of the schema', () => {
  it('reads the rules where Pothos keeps them', () => {
    // Pins the storage format the walk relies on: rules found where they are written, and no
    // rule where none is written (so a default filled in by Pothos cannot make the walk pass).
    const user = schema.getType('User');
    const query = schema.getQueryType();
    expect(isObjectType(user)).toBe(true);
    if (!isObjectType(user) || !query) return;
    expect(typeof pothosOptions(user.extensions).authScopes).toBe('function');
    expect(pothosOptions(query.getFields().projects?.extensions).authScopes).toEqual({ user: true });
    expect(typeof pothosOptions(user.getFields().email?.extensions).authScopes).toBe('function');
    expect(pothosOptions(user.getFields().id?.extensions).authScopes).toBeUndefined();
    expect(pothosOptions(query.extensions).authScopes).toBeUndefined();
  });

  it('has root types with fields to check', () => {
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).not.toHaveLength(0);
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {})).not.toHaveLength(0);
    expect(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})).not.toHaveLength(0);
  });

  it('covers every field of Query, Mutation, Subscription and every object type with an auth rule', () => {
    const uncovered = uncoveredFields();
    expect(
      uncovered,
      `These fields have no authScopes, and neither has their type (or the field sets skipTypeScopes):\n` +
        `  ${uncovered.join('\n  ')}\n` +
        `Add authScopes to the field or its type (schema/types/*.ts).`,
    ).toEqual([]);
  });

  it('keeps the allow-list free of entries that no longer need it', () => {
    // An allow-listed field that is gone, or that has gained a rule, should leave the list.
    const stale = [...ALLOW_LIST.keys()].filter((name) => {
      const [typeName, fieldName] = name.split('.');
      const type = typeName ? schema.getType(typeName) : undefined;
      const field = isObjectType(type) && fieldName ? type.getFields()[fieldName] : undefined;
      return !type || !isObjectType(type) || !field || fieldIsCovered(type, field);
    });
    expect(stale, `Remove these from ALLOW_LIST: ${stale.join(', ')}`).toEqual([]);
  });
});
