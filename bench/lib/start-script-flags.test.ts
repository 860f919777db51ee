import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeFlagsOf, startScriptNodeFlags } from './start-script-flags';

describe("the start script's Node.js flags (bench:start --direct and --sources)", () => {
  it('reads the flags between node and scripts/start.mjs', () => {
    expect(nodeFlagsOf('node --max-semi-space-size=64 --wasm-num-compilation-tasks=1 scripts/start.mjs start')).toEqual([
      '--max-semi-space-size=64',
      '--wasm-num-compilation-tasks=1',
    ]);
    expect(nodeFlagsOf('node scripts/start.mjs start')).toEqual([]);
  });

  it('refuses a shape it would misread', () => {
    expect(() => nodeFlagsOf('tsx server/cli.ts start')).toThrow(/start script/);
    expect(() => nodeFlagsOf('node --import tsx scripts/start.mjs start')).toThrow(/start script/);
  });

  it("reads this checkout's package.json", () => {
    const flags = startScriptNodeFlags(fileURLToPath(new URL('../..', import.meta.url)));
    expect(flags).toContain('--max-semi-space-size=64');
    expect(flags).toContain('--wasm-num-compilation-tasks=1');
  });
});
