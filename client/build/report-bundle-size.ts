import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The budget of the issue: JavaScript loaded before the first page renders, gzipped. */
export const INITIAL_JS_BUDGET_BYTES = 150 * 1024;

interface ChunkLike {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: string[];
  code?: string;
}

/** The entry chunks and everything they import statically: what the browser must load at once. */
export function initialChunks(bundle: Record<string, ChunkLike>): ChunkLike[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    const chunk = bundle[name];
    if (!chunk || chunk.type !== 'chunk' || seen.has(name)) return;
    seen.add(name);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk' && chunk.isEntry) visit(chunk.fileName);
  return [...seen].map((n) => bundle[n]!);
}

export function gzippedSize(code: string): number {
  return gzipSync(code, { level: 9 }).length;
}

/** Prints the initial JavaScript size (gzipped) after each build, and warns over the budget. */
export function reportInitialBundleSize(): Plugin {
  return {
    name: 'tokentrace:report-initial-bundle-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = initialChunks(bundle as unknown as Record<string, ChunkLike>);
      const bytes = chunks.reduce((sum, c) => sum + gzippedSize(c.code ?? ''), 0);
      const kb = (bytes / 1024).toFixed(1);
      const verdict = bytes <= INITIAL_JS_BUDGET_BYTES ? 'within' : 'OVER';
      const line = `initial JS: ${kb} KB gzipped in ${chunks.length} chunk(s) (${verdict} the ${INITIAL_JS_BUDGET_BYTES / 1024} KB budget)`;
      // Printed, not only logged, so it shows whatever vite's log level is.
      console.log(`[tokentrace] ${line}`);
      this.emitFile({ type: 'asset', fileName: 'bundle-size.json', source: JSON.stringify({ initialJsGzipBytes: bytes, chunks: chunks.map((c) => c.fileName) }) });
    },
  };
}
