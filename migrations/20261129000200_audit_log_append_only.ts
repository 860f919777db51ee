import { sql, type Kysely } from 'kysely';

// The audit log is append-only in the database itself, so a bug, a careless script or a
// compromised app path cannot rewrite history through ordinary SQL: row-level triggers refuse
// UPDATE and DELETE, a statement-level trigger refuses TRUNCATE (which fires no row triggers).
// Someone who owns the table can still disable the triggers; the hash chain is what detects
// that (verifyAuditLog). Frozen in time: imports nothing from the app.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function audit_log_refuse_change() returns trigger
    language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % is not allowed', tg_op
        using hint = 'Audit entries are never changed or removed; verifyAuditLog checks their hash chain.';
    end;
    $$`.execute(db);
  await sql`
    create trigger audit_log_no_update_delete
    before update or delete on audit_log
    for each row execute function audit_log_refuse_change()`.execute(db);
  await sql`
    create trigger audit_log_no_truncate
    before truncate on audit_log
    for each statement execute function audit_log_refuse_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
  await sql`drop trigger if exists audit_log_no_update_delete on audit_log`.execute(db);
  await sql`drop function if exists audit_log_refuse_change()`.execute(db);
}
