import type { CodecContext, ContentCodec } from '../../plugins/core/codec';
import { DecryptionError, type DecryptionFailure } from '../../plugins/encryption/aes-gcm-codec';

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

/** Why a stored value could not be read: the codec's own reason, or one of ours. */
export type ContentFailure = DecryptionFailure | 'invalid-json' | 'codec-error';

export type ContentReadResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      reason: ContentFailure;
      /**
       * Safe to log: the codec's message for a DecryptionError (ids and key ids, never key or
       * content bytes), otherwise only the error's name — a JSON.parse message quotes the text
       * it choked on, and a third-party codec's message is not ours to vouch for.
       */
      detail: string;
    };

/** decodeContent that reports a value it cannot read instead of throwing, one value at a time. */
export function readContent(codec: ContentCodec, stored: Uint8Array | null, ctx: CodecContext): ContentReadResult {
  if (stored === null) return { ok: true, value: null };
  let plain: Uint8Array;
  try {
    plain = codec.decode(stored, ctx);
  } catch (err) {
    if (err instanceof DecryptionError) return { ok: false, reason: err.reason, detail: err.message };
    return { ok: false, reason: 'codec-error', detail: `codec "${codec.name}" threw ${errorName(err)}` };
  }
  try {
    return { ok: true, value: JSON.parse(decoder.decode(plain)) };
  } catch (err) {
    return { ok: false, reason: 'invalid-json', detail: `decoded value is not JSON (${errorName(err)})` };
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
