// How span content is stored. The server serialises content to JSON bytes and hands them to
// the codec; the identity codec stores them as they are, the encryption plugin seals them.

export interface CodecContext {
  projectId: string;
  /** The table and row the value belongs to: bound into encryption as associated data. */
  table: string;
  rowId: string;
  column: string;
}

export interface ContentCodec {
  name: string;
  encode(plain: Uint8Array, ctx: CodecContext): Uint8Array;
  decode(stored: Uint8Array, ctx: CodecContext): Uint8Array;
}

export const identityCodec: ContentCodec = {
  name: 'identity',
  encode: (plain) => plain,
  decode: (stored) => stored,
};
