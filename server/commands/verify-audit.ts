import { loadConfig } from '../config';
import { createDb } from '../db/create-db';
import { verifyAuditChain } from '../services/audit-chain';
import { isUuid } from '../services/projects';

// `tsx server/cli.ts verify-audit <projectId | --global> [--json]` (npm run audit:verify -- …):
// the same walk as the verifyAuditLog query, for operators and cron jobs. Exit code 0 when the
// chain is intact, 1 when it is broken, 2 on a usage error. It only reads. With the embedded
// database, stop the server first: PGlite allows one process at a time.

const USAGE = 'usage: tsx server/cli.ts verify-audit <projectId | --global> [--json]';

export interface CommandOutput {
  log(line: string): void;
  error(line: string): void;
}

export async function runVerifyAudit(
  args: readonly string[],
  env: Record<string, string | undefined> = process.env,
  out: CommandOutput = console,
): Promise<number> {
  const json = args.includes('--json');
  const target = args.find((a) => a !== '--json');
  if (!target || (target !== '--global' && !isUuid(target))) {
    out.error(USAGE);
    return 2;
  }
  const chain = target === '--global' ? null : target;
  const label = chain === null ? 'the global audit chain' : `the audit chain of project ${chain}`;
  const config = loadConfig(env);
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const result = await verifyAuditChain(db.db, chain);
    if (json) out.log(JSON.stringify({ chain: chain ?? 'global', ...result }));
    else if (result.ok) out.log(`${label} is intact: ${result.checked} entries checked`);
    else out.error(`${label} is BROKEN at entry ${result.firstBrokenId} (${result.checked} entries checked)`);
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

export async function verifyAuditCommand(): Promise<void> {
  process.exitCode = await runVerifyAudit(process.argv.slice(3));
}
