// How span content is stored. The server serialises content to JSON bytes and hands them to
// the codec; the identity codec stores them as they are, the encryption plugin seals them.
//
// Envelope encryption goes through this contract too (docs/plugins.md, "Per-project keys"):
// a codec that keeps a data key per project sets `projectKeys`. It makes and seals the keys;
// the server only stores the sealed bytes (table project_data_keys), opens them through the
// codec, and hands the opened set back in every CodecContext of that project. Deleting a
// project deletes its sealed keys first, which makes every copy of its content unreadable.

/** The keys of one project, as opened by the codec. Opaque to the server, which only passes it back. */
export interface ProjectKeys {
  readonly projectId: string;
  /** The key that seals new values. */
  readonly currentKeyId: string;
  /** Every key held, current first. */
  readonly keyIds: readonly string[];
}

export interface CodecContext {
  projectId: string;
  /** The table and row the value belongs to: bound into encryption as associated data. */
  table: string;
  rowId: string;
  column: string;
  /**
   * The project's opened keys, from `codec.projectKeys.open`. The server sets it on every call
   * when the codec has `projectKeys`, and never otherwise.
   */
  keys?: ProjectKeys;
}

/** One data key of a project, as the server stores it. */
export interface StoredProjectKey {
  /** Unique within its project, 1–32 characters of A–Z a–z 0–9 _ -; the codec names it in what it seals. */
  id: string;
  /** The key, sealed by the codec under its own master key. The server never sees the key itself. */
  wrapped: Uint8Array;
}

/** Per-project data keys (envelope encryption). All three are synchronous and pure. */
export interface ProjectKeyHooks {
  /** A fresh data key for the project, sealed under the codec's current master key. */
  create(projectId: string): StoredProjectKey;
  /**
   * Opens the project's stored keys, current (newest) first. Throws a CodecError when one cannot
   * be unsealed: its master key is gone, it was altered, or it belongs to another project.
   */
  open(projectId: string, keys: readonly StoredProjectKey[]): ProjectKeys;
  /**
   * Master-key rotation: the key sealed again under the current master key, or null when it
   * already is. The content the data key sealed is not touched.
   */
  rewrap(projectId: string, key: StoredProjectKey): Uint8Array | null;
}

/** Why a stored value could not be decoded. */
export type CodecFailure =
  | 'truncated'
  | 'unsupported-version'
  | 'malformed'
  | 'unknown-key'
  | 'authentication-failed'
  /** The codec keeps keys per project and was called without them (or with another project's). */
  | 'no-project-keys';

/**
 * What a codec throws for a value it cannot decode (or a key it cannot open). The server shows
 * the reason to the reader and logs the message, so the message must hold ids, never key or
 * content bytes. Anything else a codec throws is reported as `codec-error` by name only.
 */
export class CodecError extends Error {
  override name = 'CodecError';
  constructor(
    readonly reason: CodecFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where a codec can also run: a module, loaded in a worker thread of the server's process, whose
 * `createCodec(data)` returns the same codec. Ingest then seals large batches there, off the event
 * loop (server/services/ingest/encode-pool.ts); without it, everything runs where the codec was
 * made. `data` is copied to the thread (structured clone) and may hold the codec's keys: it stays
 * in the process and is never logged. The worker's codec must seal exactly as this one does:
 * every value it writes is read back by this one.
 */
export interface CodecWorker {
  /** A file: URL (href) of the module; it exports `createCodec(data: unknown): ContentCodec`. */
  module: string;
  data: unknown;
}

export interface ContentCodec {
  name: string;
  encode(plain: Uint8Array, ctx: CodecContext): Uint8Array;
  decode(stored: Uint8Array, ctx: CodecContext): Uint8Array;
  /** Set by a codec that keeps a data key per project (see ProjectKeyHooks). */
  projectKeys?: ProjectKeyHooks;
  /**
   * Rotation hook: the bytes that every value sealed now for this project begins with (`keys`
   * as in CodecContext). Rotation finds the values that do not begin with them, in SQL, and
   * seals them again (decode, then encode). Omit it when the codec has no keys to rotate.
   */
  currentPrefix?(ctx: { projectId: string; keys?: ProjectKeys }): Uint8Array;
  /** Set by a codec that can also be made in a worker thread (see CodecWorker). */
  worker?: CodecWorker;
}

export const identityCodec: ContentCodec = {
  name: 'identity',
  encode: (plain) => plain,
  decode: (stored) => stored,
};
