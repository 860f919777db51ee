import type { Kysely } from 'kysely';
import type { Database, SpanRow } from '../tables';

// Read-only samples for operators' checks (after a restore: does the key ring read the content?).

export type SpanContentSample = Pick<SpanRow, 'project_id' | 'id' | 'input' | 'output'>;

/** Up to `limit` spans that carry stored content, newest first. */
export function sampleSpanContents(db: Kysely<Database>, limit: number): Promise<SpanContentSample[]> {
  return db
    .selectFrom('spans')
    .select(['project_id', 'id', 'input', 'output'])
    .where((eb) => eb.or([eb('input', 'is not', null), eb('output', 'is not', null)]))
    .orderBy('start_time', 'desc')
    .limit(limit)
    .execute();
}

export async function countRows(db: Kysely<Database>): Promise<{ projects: number; spans: number }> {
  const [projects, spans] = await Promise.all([
    db.selectFrom('projects').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('spans').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { projects: Number(projects.n), spans: Number(spans.n) };
}
