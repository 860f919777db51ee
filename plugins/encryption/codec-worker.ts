import type { ContentCodec } from '../core/codec';
import { createAesGcmCodec } from './aes-gcm-codec';
import { parseKeyRing } from './key-ring';

// The AES-256-GCM codec, made again in a worker thread from its key ring's text (CodecWorker in
// plugins/core/codec.ts): the server seals large ingest batches there, off the event loop.

export function createCodec(data: unknown): ContentCodec {
  if (typeof data !== 'string') throw new Error('the encryption codec worker needs its key ring as text');
  return createAesGcmCodec(parseKeyRing(data, 'the codec worker'));
}
