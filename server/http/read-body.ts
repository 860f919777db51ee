import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

// Request bodies with or without a Content-Length (many HTTP clients and the OTLP exporters stream
// theirs, chunked), read under one byte limit that is enforced while the body streams in: the
// read stops at the limit, so a client cannot make the server hold more than that.

const gunzipAsync = promisify(gunzip);

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

export class BodyUnreadableError extends Error {
  override name = 'BodyUnreadableError';
}

/** A body as it arrived, in the chunks the socket gave: joined only where one buffer is needed. */
export interface BodyParts {
  parts: Buffer[];
  size: number;
}

/** The body in one buffer (the chunk itself when there is one). */
export function joinBody({ parts, size }: BodyParts): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}

/**
 * The whole body, or BodyTooLargeError as soon as it passes `maxBytes` (or announces it will). In
 * its chunks: a body read in a worker thread is copied once, into the buffer moved to the worker,
 * instead of joined and then copied (packed-bytes.ts: copyToMove); joinBody where one is needed.
 */
export function readBodyParts(req: IncomingMessage, maxBytes: number): Promise<BodyParts> {
  const announced = Number(req.headers['content-length'] ?? NaN);
  if (announced > maxBytes) {
    discardRest(req);
    return Promise.reject(new BodyTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        chunks.length = 0;
        discardRest(req);
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ parts: chunks, size });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new BodyUnreadableError(err.message));
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * Undoes `Content-Encoding: gzip` with the same limit on what it produces: a small body that
 * inflates past it (a gzip bomb) stops at the limit instead of filling memory.
 */
export async function gunzipBody(body: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new BodyTooLargeError(maxBytes);
    throw new BodyUnreadableError('The body is not valid gzip.');
  }
}

/** Lets the rest of a refused body flow past unread, so the response can still be delivered. */
function discardRest(req: IncomingMessage): void {
  req.resume();
}
