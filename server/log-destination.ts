import { pino } from 'pino';

// Where the server's logs go: stdout, written asynchronously, with nothing ever waiting on it
// without a deadline. Whatever reads our output may stop reading (a log shipper that hangs, a
// parent that is gone but left the pipe open): the pipe fills, and pino's default stdout
// destination then retries forever — in the exit handler it runs on process.exit, so a
// SIGTERM'd server finished its requests, logged "stopped" and never exited (issue 10, point 6).
// Here a full or closed stdout costs log lines, never the process: lines beyond a bounded
// buffer are dropped, and shutdown flushes for at most a moment before it lets go.

/** Log lines kept while stdout is not taking them; beyond this they are dropped. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface LogDestination {
  stream: pino.DestinationStream;
  /**
   * Writes what is buffered, waiting at most `timeoutMs`; then gives up on stdout for good, so
   * that exiting never waits on it. Resolves true when everything was written. Call it last.
   */
  release(timeoutMs: number): Promise<boolean>;
}

export function createStdoutDestination(): LogDestination {
  let released = false;
  const stream = pino.destination({
    dest: 1,
    sync: false,
    maxLength: MAX_BUFFERED_BYTES,
    // A full pipe: keep retrying (on a timer, off the event loop's path) until shutdown.
    retryEAGAIN: () => !released,
  });
  // After release, a full pipe surfaces as an error event (pino already ignores a broken pipe).
  stream.on('error', () => {});
  return {
    stream,
    release: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        const done = (flushed: boolean) => {
          clearTimeout(timer);
          released = true;
          // Nothing may wait on stdout from here on: late lines are dropped, and pino's exit
          // hook (a synchronous flush that retries a full pipe without end) does nothing.
          stream.write = () => true;
          stream.flushSync = () => {};
          resolve(flushed);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        stream.once('close', () => done(true));
        // Writes what is buffered, then reports 'close' (stdout itself stays open).
        stream.end();
      }),
  };
}
