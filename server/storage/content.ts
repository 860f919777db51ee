import type { CodecContext, ContentCodec } from '../../plugins/core/codec';

// The one place span content crosses into and out of storage.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeContent(codec: ContentCodec, value: unknown, ctx: CodecContext): Uint8Array | null {
  if (value === undefined || value === null) return null;
  return codec.encode(encoder.encode(JSON.stringify(value)), ctx);
}

export function decodeContent(codec: ContentCodec, stored: Uint8Array | null, ctx: CodecContext): unknown {
  if (stored === null) return null;
  return JSON.parse(decoder.decode(codec.decode(stored, ctx)));
}
