import type { ProjectKeys, StoredProjectKey } from '../../../plugins/core/index';

// The words the server and its read workers use for content sealed where it was read
// (early-sealing.ts, worker-sealer.ts), in a file of their own so that both sides, and the pools
// between them, can name them without importing either.

/** Whose content, under which of the project's sealed data keys (null when the codec keeps none). */
export interface SealFor {
  projectId: string;
  keys: readonly StoredProjectKey[] | null;
}

/** What the server asks a read worker to seal for, and the opened key set it stands for here. */
export interface EarlySealing {
  target: SealFor;
  keys: ProjectKeys | undefined;
}

/** Stored bytes of one content value, and what they were sealed for: used only for exactly that. */
export interface SealedInWorker {
  bytes: Uint8Array;
  projectId: string;
  rowId: string;
  column: 'input' | 'output';
  /** The server's opened key set the worker was given the sealed form of (undefined: the codec keeps none). */
  keys: ProjectKeys | undefined;
}
