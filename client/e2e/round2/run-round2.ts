import { bugCases, phoneCase } from './cases/bugs';
import { compareCases } from './cases/compare';
import { exportCases } from './cases/export';
import { findCases } from './cases/find';
import { manageCases } from './cases/manage';
import { priceCases } from './cases/prices';
import { tokenCases } from './cases/tokens';
import type { E2eCase, Harness } from './harness';

// The browser cases of issue 16 (find, compare, prices, invitations, and its bugs). Unlike the
// journey in run.ts, each case sets up its own users and data and runs on its own, so one
// failure does not hide the others: all run, then every failure is reported.
// E2E_CASES=<regex> runs only the cases whose name matches.

export const round2Cases: E2eCase[] = [...bugCases, phoneCase, ...findCases, ...compareCases, ...priceCases, ...tokenCases, ...exportCases, ...manageCases];

export async function runRound2(h: Harness): Promise<string[]> {
  const only = process.env.E2E_CASES ? new RegExp(process.env.E2E_CASES, 'i') : null;
  const failures: string[] = [];
  for (const c of round2Cases.filter((x) => !only || only.test(x.name))) {
    h.step(`case: ${c.name}`);
    const started = Date.now();
    try {
      await c.run(h);
      h.step(`  ok (${Date.now() - started} ms)`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      h.step(`  FAILED: ${message.split('\n')[0]}`);
      failures.push(`${c.name}: ${message}`);
    }
  }
  return failures;
}
