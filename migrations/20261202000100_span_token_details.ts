import type { Kysely } from 'kysely';

// Token details that OpenTelemetry instrumentations (GenAI semantic conventions, OpenInference,
// the Vercel AI SDK) report beside input and output tokens: input tokens read from and written to
// the provider's prompt cache, and output tokens spent on reasoning. Each is a part of the prompt
// or completion count, not added to it.
//
// usage_in_descendants marks a span whose own usage is also reported by a span below it (an agent
// span and its generations, as the Vercel AI SDK reports them); trace totals and usage charts count
// such usage once, at the deepest spans. Ingest keeps it current under the trace lock.
//
// Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('spans')
    .addColumn('cache_read_tokens', 'integer')
    .addColumn('cache_write_tokens', 'integer')
    .addColumn('reasoning_tokens', 'integer')
    .addColumn('usage_in_descendants', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('spans')
    .dropColumn('usage_in_descendants')
    .dropColumn('reasoning_tokens')
    .dropColumn('cache_write_tokens')
    .dropColumn('cache_read_tokens')
    .execute();
}
