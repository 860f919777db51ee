import type { ContentCodec } from '../../plugins/core/index';

// A codec worker for encode-pool.test.ts: `createCodec('refuse')` throws (a worker that cannot
// start); otherwise every encode throws with `data` in its message (which must not reach a log).

export function createCodec(data: unknown): ContentCodec {
  if (data === 'refuse') throw new Error('no codec today');
  return {
    name: 'throwing',
    encode: () => {
      throw new Error(`cannot seal with ${String(data)}`);
    },
    decode: (stored) => stored,
  };
}
