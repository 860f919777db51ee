import type { Browser, BrowserContext, Page } from 'playwright-core';

// What run.ts hands to the round-2 cases: the browser, the server, and its page and screenshot
// helpers (so console errors and CSP violations fail these cases too, and screenshots share
// one numbering).

export interface Harness {
  url: string;
  browser: Browser;
  /** A page whose console errors and uncaught exceptions fail the run. */
  newPage(context: BrowserContext, who: string): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
  step(text: string): void;
  /** Problems the pages logged so far (console errors, uncaught exceptions). */
  pageProblems: string[];
}

export interface E2eCase {
  name: string;
  run(h: Harness): Promise<void>;
}

export class CaseFailure extends Error {}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CaseFailure(message);
}

/** Waits until `probe` returns true, or fails with the last value it saw. */
export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, message: (last: T) => string, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() - start > timeoutMs) throw new CaseFailure(message(last));
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
