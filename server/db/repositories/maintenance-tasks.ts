import type { Kysely } from 'kysely';
import type { Database } from '../tables';

type Db = Kysely<Database>;

// One-time background tasks queued by migrations (maintenance_tasks).

export async function isTaskPending(db: Db, name: string): Promise<boolean> {
  const row = await db.selectFrom('maintenance_tasks').select('done_at').where('name', '=', name).executeTakeFirst();
  return row !== undefined && row.done_at === null;
}

export async function markTaskDone(db: Db, name: string, details: unknown): Promise<void> {
  await db.updateTable('maintenance_tasks').set({ done_at: new Date(), details: JSON.stringify(details) }).where('name', '=', name).execute();
}
