import type { AnyVariables, CombinedError, OperationResult, RequestPolicy, TypedDocumentNode } from '@urql/core';
import { getContextClient } from '@urql/svelte';
import { errorMessage } from './errors';

// Queries and mutations for Svelte 5 components, on the urql client from context. A query
// re-runs whenever the variables its getter reads change; `null` variables mean "not yet".

export interface QueryState<D> {
  readonly data: D | undefined;
  readonly error: CombinedError | undefined;
  readonly fetching: boolean;
  /** Reloads from the server, keeping the current data on screen meanwhile. */
  refetch(): void;
}

export function useQuery<D, V extends AnyVariables>(
  document: TypedDocumentNode<D, V>,
  variables: () => V | null,
  options: { requestPolicy?: RequestPolicy; onData?: (data: D) => void } = {},
): QueryState<D> {
  const client = getContextClient();
  let data = $state.raw<D | undefined>(undefined);
  let error = $state.raw<CombinedError | undefined>(undefined);
  let fetching = $state(true);
  let reloads = $state(0);

  $effect(() => {
    const vars = variables();
    const reload = reloads;
    if (vars === null) {
      fetching = false;
      return;
    }
    fetching = true;
    const requestPolicy = reload > 0 ? 'network-only' : (options.requestPolicy ?? 'cache-and-network');
    const sub = client.query(document, vars, { requestPolicy }).subscribe((result: OperationResult<D, V>) => {
      if (result.data !== undefined) options.onData?.(result.data);
      data = result.data;
      error = result.error;
      fetching = !!result.stale;
    });
    return () => sub.unsubscribe();
  });

  return {
    get data() {
      return data;
    },
    get error() {
      return error;
    },
    get fetching() {
      return fetching;
    },
    refetch: () => {
      reloads += 1;
    },
  };
}

export interface MutationResult<D> {
  data?: D;
  error?: CombinedError;
}

/** A mutation bound to the context client; call it from event handlers. */
export function useMutation<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>): (variables: V) => Promise<MutationResult<D>> {
  const client = getContextClient();
  return async (variables) => {
    const result = await client.mutation(document, variables, { requestPolicy: 'network-only' }).toPromise();
    return { data: result.data, error: result.error };
  };
}

export interface MutationForm<D, V> {
  /** True while the mutation runs (disable the submit button). */
  readonly busy: boolean;
  /** A readable message of the last failure; empty after a success or a new attempt. */
  readonly error: string;
  /** Runs the mutation: its data, or undefined with `error` set. */
  run(variables: V): Promise<D | undefined>;
}

/** The submit state every form repeats: busy while running, a readable error when it fails. */
export function useMutationForm<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>): MutationForm<D, V> {
  const mutate = useMutation(document);
  let busy = $state(false);
  let error = $state('');
  return {
    get busy() {
      return busy;
    },
    get error() {
      return error;
    },
    async run(variables) {
      busy = true;
      error = '';
      try {
        const result = await mutate(variables);
        if (result.error || result.data === undefined) {
          error = errorMessage(result.error);
          return undefined;
        }
        return result.data;
      } finally {
        busy = false;
      }
    },
  };
}
