// graphql-codegen plugin: each operation as a plain string constant, typed with its result and
// variables. The client preset's string mode would do the same through a `TypedDocumentString`
// class that imports `@graphql-typed-document-node/core` types — a package an app installing
// only `@tokentrace/sdk` does not have, so its type check would fail on our .d.ts.
const { print } = require('graphql');

const pascal = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const suffix = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

module.exports = {
  plugin(_schema, documents) {
    const out = [
      '/** A GraphQL document as the string sent over the wire, tagged with its result and variables types. */',
      'export type DocumentString<TResult, TVariables> = string & { readonly __result?: TResult; readonly __variables?: TVariables };',
      '',
    ];
    for (const { document } of documents) {
      for (const def of document.definitions) {
        if (def.kind !== 'OperationDefinition' || !def.name) continue;
        const name = pascal(def.name.value);
        const type = name + suffix[def.operation];
        const text = print(def);
        out.push(
          `export const ${name}Document = ${JSON.stringify(text)} as DocumentString<${type}, ${type}Variables>;`,
        );
      }
    }
    return out.join('\n') + '\n';
  },
};
