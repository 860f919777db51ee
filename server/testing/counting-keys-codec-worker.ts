import type { ContentCodec, ProjectKeys } from '../../plugins/core/index';

// A codec for encode-pool.test.ts that shows, in every value it seals, how many times its thread
// has opened a project's keys: `<opens>|` before the plain bytes. Sealing nothing, for tests only.

let opens = 0;

export function createCodec(): ContentCodec {
  return {
    name: 'counting-keys',
    encode: (plain, ctx) => {
      const seen = (ctx.keys as (ProjectKeys & { opens?: number }) | undefined)?.opens ?? 0;
      return Buffer.concat([Buffer.from(`${seen}|`), plain]);
    },
    decode: (stored) => stored,
    projectKeys: {
      create: (projectId) => ({ id: `${projectId}-k1`, wrapped: new Uint8Array([1]) }),
      open: (projectId, keys) => ({ projectId, currentKeyId: keys[0]!.id, keyIds: keys.map((k) => k.id), opens: ++opens }),
      rewrap: () => null,
    },
  };
}
