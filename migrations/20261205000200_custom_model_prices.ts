import { sql, type Kysely } from 'kysely';

// Prices, round 2 (issue 16). Frozen in time: imports nothing from the app.
//
// 1. The built-in table learns cached-input, cache-write and per-request prices and says where
//    each row comes from. Cached rates are filled for the providers that publish them as a fixed
//    share of the input price: OpenAI (per model family; a row from before prompt caching
//    existed stays null) and Anthropic (cache reads 0.1×, 5-minute cache writes 1.25× input).
//    Null means "billed at the input price".
// 2. project_model_prices: a project's own prices, which override the built-in table from their
//    effective date. Rows are archived, never deleted, so the price a span was costed with can
//    always be shown.
// 3. spans.price_ref: which price costed the span ('builtin:<id>' or 'project:<uuid>'), written
//    when its cost is computed. Costs stay as computed: a later price never rewrites them.

const SOURCES: Record<string, string> = {
  openai: 'OpenAI API pricing (openai.com/api/pricing)',
  anthropic: 'Anthropic API pricing (anthropic.com/pricing)',
  google: 'Gemini API pricing, prompts up to 128k/200k tokens (ai.google.dev/pricing)',
  mistral: 'Mistral AI pricing (mistral.ai/pricing)',
  meta: 'Together AI serverless pricing (together.ai/pricing)',
};

/** OpenAI's cached-input share of the input price, by model family; undefined: no prompt caching. */
function openAiCachedShare(model: string, input: number): number | undefined {
  const family = model.replace(/^\^/, '').replace(/\\\./g, '.');
  if (family.startsWith('gpt-4o')) return input === 5 ? undefined : 0.5; // the $5 gpt-4o rows predate caching
  if (family.startsWith('o3-mini')) return 0.5;
  if (family.startsWith('gpt-4.1') || family.startsWith('o3') || family.startsWith('o4-mini')) return 0.25;
  if (family.startsWith('gpt-5')) return 0.1;
  if (family.startsWith('o1')) return 0.5;
  return undefined;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('model_prices')
    .addColumn('cached_input_usd_per_million', 'double precision')
    .addColumn('cache_write_usd_per_million', 'double precision')
    .addColumn('per_request_usd', 'double precision')
    .addColumn('source', 'text')
    .execute();

  const rows = (await db.selectFrom('model_prices').select(['id', 'provider', 'model', 'input_usd_per_million']).execute()) as {
    id: number;
    provider: string;
    model: string;
    input_usd_per_million: number | string;
  }[];
  // One statement for every row: on the embedded database each statement is a write of its own.
  const updates = rows.map((row) => {
    const input = Number(row.input_usd_per_million);
    let cached: number | null = null;
    let write: number | null = null;
    if (row.provider === 'openai') {
      const share = openAiCachedShare(row.model, input);
      if (share !== undefined) cached = round(input * share);
    } else if (row.provider === 'anthropic') {
      cached = round(input * 0.1);
      write = round(input * 1.25);
    }
    return sql`(${row.id}::int, ${cached}::double precision, ${write}::double precision, ${SOURCES[row.provider] ?? null}::text)`;
  });
  if (updates.length > 0) {
    await sql`
      update model_prices set cached_input_usd_per_million = v.cached, cache_write_usd_per_million = v.write, source = v.source
      from (values ${sql.join(updates)}) as v(id, cached, write, source)
      where model_prices.id = v.id`.execute(db);
  }

  await db.schema
    .createTable('project_model_prices')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('match_type', 'text', (c) => c.notNull().defaultTo('exact').check(sql`match_type in ('exact', 'pattern')`))
    .addColumn('input_usd_per_million', 'double precision', (c) => c.notNull())
    .addColumn('cached_input_usd_per_million', 'double precision')
    .addColumn('cache_write_usd_per_million', 'double precision')
    .addColumn('output_usd_per_million', 'double precision', (c) => c.notNull())
    .addColumn('per_request_usd', 'double precision')
    .addColumn('effective_from', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('archived_at', 'timestamptz')
    .addColumn('archived_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await sql`create index project_model_prices_project_idx on project_model_prices (project_id, created_at)`.execute(db);
  // One active price per name (or pattern) and date; a replaced one is archived first.
  await sql`create unique index project_model_prices_active_key on project_model_prices (project_id, lower(model), match_type, effective_from)
    where archived_at is null`.execute(db);

  await db.schema.alterTable('spans').addColumn('price_ref', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('spans').dropColumn('price_ref').execute();
  await db.schema.dropTable('project_model_prices').execute();
  await db.schema
    .alterTable('model_prices')
    .dropColumn('source')
    .dropColumn('per_request_usd')
    .dropColumn('cache_write_usd_per_million')
    .dropColumn('cached_input_usd_per_million')
    .execute();
}
