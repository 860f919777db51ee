import { sql, type Kysely } from 'kysely';

// Indexes for finding traces (issue 16): one per sort of the trace list, a trigram index for
// substring search on names, and a GIN index for metadata filters. Frozen in time: imports
// nothing from the app.
//
// Sorts page with a row comparison `(key, id) < (cursorKey, cursorId)` in the index's order, so
// a deep page is an index range, not a walk from the top. Nullable keys (cost: unpriced;
// duration: still running) are indexed DESC NULLS LAST; ascending pages read the index
// backwards. The duration expression must stay exactly the one the list query sorts by.
//
// pg_trgm: bundled with Postgres (a trusted extension since 13, so a database owner may create
// it) and with PGlite (loaded by server/db/create-db.ts). Where it cannot be created — a role
// without the right, a server built without contrib — the migration goes on without the
// trigram index: substring filters still work, as sequential scans within the project.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index traces_project_cost_idx on traces (project_id, total_cost_usd desc nulls last, id desc)`.execute(db);
  await sql`create index traces_project_tokens_idx on traces (project_id, total_tokens desc, id desc)`.execute(db);
  await sql`create index traces_project_duration_idx on traces
    (project_id, (extract(epoch from (end_time - start_time))) desc nulls last, id desc)`.execute(db);
  await sql`create index traces_metadata_idx on traces using gin (metadata)`.execute(db);
  await sql`
    do $$
    begin
      begin
        create extension if not exists pg_trgm;
      exception when others then
        raise notice 'pg_trgm is not available (%): substring filters on trace names will scan', sqlerrm;
      end;
      if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        create index traces_name_trgm_idx on traces using gin (name gin_trgm_ops);
      end if;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['traces_name_trgm_idx', 'traces_metadata_idx', 'traces_project_duration_idx', 'traces_project_tokens_idx', 'traces_project_cost_idx']) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  }
  // The extension stays: other objects may have come to depend on it since.
}
