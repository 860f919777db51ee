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
