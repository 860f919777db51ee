import { isInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index';

describe('graphql-js runs mutations', () => {
  // graphql-js reads a declared input field as `value[field.name]`, which for a field named like
  // an Object.prototype member would find the prototype's when the client left it out.
  it('no input type has a field named like an Object.prototype member', () => {
    const prototypeNames = new Set(Object.getOwnPropertyNames(Object.prototype));
    const clashes = Object.values(schema.getTypeMap())
      .filter(isInputObjectType)
      .flatMap((type) => Object.keys(type.getFields()).filter((name) => prototypeNames.has(name)).map((name) => `${type.name}.${name}`));
    expect(clashes).toEqual([]);
  });
});
