import { describe, expect, it } from 'vitest';
import { identityCodec, type CodecContext, type ContentCodec } from '../../plugins/core/codec';
import { createAesGcmCodec } from '../../plugins/encryption/aes-gcm-codec';
import { generateKey, parseKeyRing } from '../../plugins/encryption/key-ring';
import { encodeContent, readContent } from './content';

// readContent: one stored value in, its value or a loggable reason out — never a throw, and
// never a fragment of the content in the reason.

const codec = createAesGcmCodec(parseKeyRing(`k1:${generateKey()}`));
const keys = codec.projectKeys!.open('p1', [codec.projectKeys!.create('p1')]);
const ctx: CodecContext = { projectId: 'p1', table: 'spans', rowId: 'span-1', column: 'input', keys };
const SECRET = 'secret sauce 12345';

describe('readContent', () => {
  it('reads back what encodeContent stored, and null as null', () => {
    const stored = encodeContent(codec, { prompt: SECRET }, ctx);
    expect(readContent(codec, stored, ctx)).toEqual({ ok: true, value: { prompt: SECRET } });
    expect(readContent(codec, null, ctx)).toEqual({ ok: true, value: null });
  });

  it("reports the codec's reason for a value it cannot decrypt", () => {
    const stored = encodeContent(codec, { prompt: SECRET }, ctx)!;
    const result = readContent(codec, stored, { ...ctx, rowId: 'span-2' });
    expect(result).toMatchObject({ ok: false, reason: 'authentication-failed' });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('reports a value that is not JSON without quoting it', () => {
    // Identity codec: the bytes are the text. JSON.parse's own message would quote it.
    const stored = new TextEncoder().encode(`${SECRET} is not json`);
    const result = readContent(identityCodec, stored, ctx);
    expect(result).toEqual({ ok: false, reason: 'invalid-json', detail: 'decoded value is not JSON (SyntaxError)' });
  });

  it("reports a third-party codec's failure by error name only", () => {
    const leaky: ContentCodec = {
      name: 'leaky',
      encode: (plain) => plain,
      decode: () => {
        throw new TypeError(`cannot read ${SECRET}`);
      },
    };
    const result = readContent(leaky, Uint8Array.of(1, 2, 3), ctx);
    expect(result).toEqual({ ok: false, reason: 'codec-error', detail: 'codec "leaky" threw TypeError' });
  });
});
