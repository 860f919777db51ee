// Byte strings (some absent) end to end in one buffer, as they cross between the server's thread
// and its ingest workers (encode-protocol.ts, readings-across-threads.ts) in both directions: one
// transferable buffer instead of a clone per value. Part k ends at `ends[k]` and starts where the
// last present part before it ended; -1 marks an absent part.

export interface PackedBytes {
  bytes: Uint8Array;
  ends: Int32Array;
}

/** Its two buffers, for postMessage's transfer list: moved, not copied. */
export function transferListOf(packed: PackedBytes): ArrayBuffer[] {
  return [packed.bytes.buffer as ArrayBuffer, packed.ends.buffer as ArrayBuffer];
}

export function packBytes(parts: readonly (Uint8Array | null)[]): PackedBytes {
  let size = 0;
  for (const part of parts) if (part) size += part.length;
  const bytes = new Uint8Array(size);
  const ends = new Int32Array(parts.length);
  let at = 0;
  parts.forEach((part, k) => {
    if (!part) {
      ends[k] = -1;
      return;
    }
    bytes.set(part, at);
    at += part.length;
    ends[k] = at;
  });
  return { bytes, ends };
}

/** The parts again, as Buffer views of `bytes` (nothing copied). */
export function unpackBytes({ bytes, ends }: PackedBytes): (Buffer | null)[] {
  const parts: (Buffer | null)[] = [];
  let at = 0;
  for (const end of ends) {
    if (end < 0) {
      parts.push(null);
      continue;
    }
    parts.push(Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at));
    at = end;
  }
  return parts;
}

/** A request body for a worker: one buffer, or the chunks it arrived in (read-body.ts). */
export type BodyBytes = Uint8Array | readonly Uint8Array[];

export function byteLengthOf(body: BodyBytes): number {
  if (body instanceof Uint8Array) return body.length;
  let size = 0;
  for (const part of body) size += part.length;
  return size;
}

/**
 * The body in a buffer of its own, to be moved to a worker (a transfer detaches it): the caller
 * keeps its own bytes, to read the body itself should the worker not. One copy, however many
 * chunks: joining them first would copy the body twice.
 */
export function copyToMove(body: BodyBytes): Uint8Array {
  if (body instanceof Uint8Array) return new Uint8Array(body);
  const out = new Uint8Array(byteLengthOf(body));
  let at = 0;
  for (const part of body) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
