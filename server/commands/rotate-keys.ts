import { requireRotatableCodec, resealContent, type ResealResult } from '../storage/content-reseal';
import { rewrapDataKeys } from '../storage/rewrap-data-keys';
import { rate } from './embedded-database';
import { withCommandApp } from './with-command-app';

// `npm run keys:rotate`, after putting a new master key first in TOKENTRACE_ENCRYPTION_KEYS
// and restarting the servers: every project's data key is re-wrapped under the new master key
// (content untouched), and content still sealed with a master key directly (written before
// envelope encryption) is moved under its project's data key. Exits 1 while anything is left
// under an old master key: the old key must stay in the ring until it exits 0.

export async function rotateKeysCommand(): Promise<void> {
  // Exactly the server's key ring: the same config file, plugins and environment.
  await withCommandApp('keys:rotate', async (app, logger) => {
    const { deps } = app;
    requireRotatableCodec(deps.codec);
    console.log('keys:rotate: re-wrapping project data keys under the primary master key');
    const rewrap = await rewrapDataKeys({ db: deps.db, codec: deps.codec, logger });
    console.log(`keys:rotate: ${rewrap.rewrapped} of ${rewrap.keys} data keys re-wrapped; ${rewrap.failed} could not be opened${reasons(rewrap.failures)}`);
    console.log('keys:rotate: moving content sealed before envelope encryption under its project’s data key');
    const reseal = await resealContent({ db: deps.db, codec: deps.codec, keyStore: deps.projectKeys, logger, onProgress: progressPrinter() });
    printReseal(reseal);
    if (rewrap.failed > 0 || reseal.remaining > 0 || reseal.unopenedProjects.length > 0) {
      console.error(
        'keys:rotate: do not remove the old master keys yet. Keys or values that could not be opened are logged by ' +
          'project and id (a key missing from the ring must be put back after the primary); rows written meanwhile ' +
          'under an old key mean a server is not yet running with the new ring. Rerun to continue.',
      );
      process.exitCode = 1;
    }
  });
}

export function progressPrinter(): (p: { rows: number; expected: number; values: number; failed: number; elapsedMs: number }) => void {
  let lastPrint = 0;
  return (p) => {
    if (Date.now() - lastPrint < 2000) return;
    lastPrint = Date.now();
    console.log(`  ${p.rows} of ~${p.expected} rows (${p.values} values), ${p.failed} failed, ${rate(p.rows, p.elapsedMs)} rows/s`);
  };
}

export function printReseal(result: ResealResult): void {
  console.log(
    `  re-sealed ${result.values} values in ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
      `(${rate(result.rows, result.elapsedMs)} rows/s); ${result.failed} could not be decrypted${reasons(result.failures)}; ` +
      `${result.remaining} rows still hold a value under another key` +
      (result.unopenedProjects.length ? `; ${result.unopenedProjects.length} projects' keys could not be opened` : ''),
  );
}

function reasons(failures: Record<string, number>): string {
  const list = Object.entries(failures).map(([reason, count]) => `${reason}: ${count}`);
  return list.length ? ` (${list.join(', ')})` : '';
}
