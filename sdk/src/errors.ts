// What the SDK reports through `onError`. After construction the SDK never throws into the app:
// everything that goes wrong on the way to the server arrives here instead.

export type TokentraceErrorCode =
  /** The queue was full (`maxQueueSize`): new spans were dropped. Reported once; see `dropped`. */
  | 'QUEUE_FULL'
  /** The server stored the batch but refused some spans (`spans` holds their ids and reasons). */
  | 'SPANS_REJECTED'
  /** The server refused the whole batch with a 4xx that a retry cannot fix (bad key, invalid input). */
  | 'BATCH_REJECTED'
  /** Retries ran out (or shutdown's deadline passed) while the server was unreachable or failing. */
  | 'SEND_FAILED'
  /** Content could not be made into JSON (e.g. a cycle); it was left out rather than sent unredacted. */
  | 'CONTENT_DROPPED'
  /** A bug in the SDK or in a callback it was given; the app's code path carried on. */
  | 'INTERNAL';

export interface RejectedSpan {
  id: string;
  reason: string;
}

export class TokentraceError extends Error {
  override readonly name = 'TokentraceError';
  readonly code: TokentraceErrorCode;
  /** The spans this error is about, with the server's reason where it gave one. */
  readonly spans: RejectedSpan[];
  /** HTTP status of the last response, when there was one. */
  readonly status: number | undefined;
  /** For QUEUE_FULL: how many spans were dropped so far. */
  readonly dropped: number;

  constructor(
    code: TokentraceErrorCode,
    message: string,
    details: { spans?: RejectedSpan[]; status?: number; dropped?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.spans = details.spans ?? [];
    this.status = details.status;
    this.dropped = details.dropped ?? 0;
  }
}

/** The message of anything thrown, without assuming it is an Error. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}
