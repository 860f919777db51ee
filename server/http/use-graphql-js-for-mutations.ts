import { execute, getOperationAST, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { coerceVariablesFast } from './coerce-variables-fast';

// Mutations run on graphql-js's own executor instead of yoga's default (@graphql-tools/executor).
//
// Why: the default copies every input object of the variables before coercing them
// (snapshotInputValue): for an ingest batch that is 100 span objects and their trace objects
// copied once more, 3% of the server's main-thread CPU per batch (bench:ingest --cpu-prof).
// The copy guards against input fields named like Object.prototype members being read from
// the prototype; no input type of our schema has such a field (use-graphql-js-for-mutations.test.ts
// keeps it so). What the default adds beyond graphql-js — @defer/@stream, subscriptions — is
// for queries and subscriptions, which keep it. Errors, masking and results are the same.
// Variables that coerce without error are coerced by coerce-variables-fast.ts, which says why.

export function useGraphqlJsForMutations(): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation === 'mutation') setExecuteFn(executeMutation);
    },
  };
}

/** graphql-js execute, with the variables coerced by coerce-variables-fast.ts when they coerce without error. */
export function executeMutation(args: ExecutionArgs) {
  const fast = coerceVariablesFast(args.schema, args.document, args.operationName, args.variableValues ?? {});
  return execute(fast ? { ...args, ...fast } : args);
}
