import type { RequestContext } from '../context';
import {
  countOwnersForUpdate,
  deleteMember,
  deleteProjectRow,
  findMembers,
  findMembership,
  findProjectById,
  findProjectForUpdate,
  findProjectsOfUser,
  insertMember,
  insertProject,
  renameProjectRow,
  updateMemberRole,
  updateProjectSettingsRow,
} from '../db/repositories/projects';
import { deleteProjectDataKeys } from '../db/repositories/project-data-keys';
import { findUserByEmail } from '../db/repositories/users';
import type { ProjectMemberRow, ProjectRow, RoleName } from '../db/tables';
import { ALL_PII_RULES, isPiiRuleName } from '../../plugins/redaction/index';
import { PLUGIN_NAME } from '../../plugins/core/index';
import { AppError, badInput, forbidden, notFound } from '../errors';
import { recordAudit, runAudited } from './audit-log';
import { defaultProjectSettings, type ProjectMemberModel, type ProjectModel, type ProjectSettings, type ProjectSettingsPatch } from './models';
import { applyRetentionPatch } from './retention/retention-settings';

// Role rules that depend on the data, not just on the caller's role (which the schema checks):
// only an OWNER may add, demote, promote to or remove an OWNER, and a project always keeps at
// least one OWNER.

/** Stored settings over the defaults, so a setting added later reads its default on old rows. */
export function parseProjectSettings(stored: unknown): ProjectSettings {
  const settings = { ...defaultProjectSettings, ...((stored ?? {}) as Partial<ProjectSettings>) };
  return { ...settings, retention: { ...defaultProjectSettings.retention, ...settings.retention } };
}

export function toProjectModel(row: ProjectRow): ProjectModel {
  return { id: row.id, name: row.name, settings: parseProjectSettings(row.settings), createdAt: row.created_at };
}

export function toMemberModel(row: ProjectMemberRow): ProjectMemberModel {
  return { projectId: row.project_id, userId: row.user_id, role: row.role, addedAt: row.added_at };
}

function requireUserId(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw forbidden();
  return ctx.principal.userId;
}

function validateProjectName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) {
    throw badInput('A project name needs 1 to 100 characters.', { field: 'name' });
  }
  return trimmed;
}

export async function createProject(ctx: RequestContext, input: { name: string }): Promise<ProjectModel> {
  const userId = requireUserId(ctx);
  const name = validateProjectName(input.name);
  const project = await runAudited(ctx.deps, async (trx) => {
    const row = await insertProject(trx, name, defaultProjectSettings);
    await insertMember(trx, row.id, userId, 'OWNER');
    // Its data key is born with it: no span of the project is ever sealed without one.
    await ctx.deps.projectKeys.createFirstKey(trx, row.id);
    await recordAudit(trx, ctx, { projectId: row.id, action: 'project.create', targetType: 'project', targetId: row.id, details: { name } });
    return row;
  });
  return toProjectModel(project);
}

/** The project's members, oldest first (the schema's Project.members; their users come through the User loader). */
export async function listProjectMembers(ctx: RequestContext, projectId: string): Promise<ProjectMemberModel[]> {
  return (await findMembers(ctx.deps.db, projectId)).map(toMemberModel);
}

/** A project's name, or null when it does not exist (no access check: for a caller who was just let in). */
export async function projectNameOf(ctx: RequestContext, projectId: string): Promise<string | null> {
  return (await findProjectById(ctx.deps.db, projectId))?.name ?? null;
}

export async function getProjectForViewer(ctx: RequestContext, id: string): Promise<ProjectModel | null> {
  if (!isUuid(id) || (await ctx.roleIn(id)) === null) return null;
  const row = await findProjectById(ctx.deps.db, id);
  return row ? toProjectModel(row) : null;
}

export async function listProjectsOfViewer(ctx: RequestContext): Promise<ProjectModel[]> {
  const rows = await findProjectsOfUser(ctx.deps.db, requireUserId(ctx));
  return rows.map(toProjectModel);
}

/**
 * Custom patterns are checked when saved, by the engine that will run them (the plugin contract's
 * `customPatterns`: the redaction plugin's RE2), so a pattern it cannot compile never reaches
 * ingest. Names are kebab-case, as plugin and rule names are.
 */
function checkCustomPatterns(ctx: RequestContext, patterns: ProjectSettings['customPatterns'] | undefined): void {
  if (!patterns || patterns.length === 0) return;
  if (patterns.length > 50) throw badInput('At most 50 custom patterns per project.', { field: 'customPatterns' });
  const engine = ctx.deps.plugins.customPatterns?.engine;
  if (!engine) throw badInput('No loaded plugin runs custom patterns (the redaction plugin is off), so none can be saved.', { field: 'customPatterns' });
  const seen = new Set<string>();
  for (const p of patterns) {
    const problem = !PLUGIN_NAME.test(p.name)
      ? 'The rule name must be 1–63 characters of a-z, 0-9 and "-", not starting with "-".'
      : engine.check(p.pattern);
    if (problem) throw badInput(`Custom pattern "${p.name}": ${problem}`, { field: 'customPatterns', name: p.name });
    if (seen.has(p.name)) throw badInput(`Custom pattern "${p.name}" is listed twice.`, { field: 'customPatterns', name: p.name });
    seen.add(p.name);
  }
}

/** The chosen built-in PII rules: known names, at least one, each once, in the rules' own order. */
function checkPiiRules(rules: string[]): string[] {
  const unknown = rules.find((r) => !isPiiRuleName(r));
  if (unknown !== undefined) throw badInput(`Unknown PII rule "${unknown}"; the rules are ${ALL_PII_RULES.join(', ')}.`, { field: 'piiRules' });
  if (rules.length === 0) throw badInput('Choose at least one PII rule, or turn piiRedaction off.', { field: 'piiRules' });
  return ALL_PII_RULES.filter((r) => rules.includes(r));
}

export async function updateProjectSettings(
  ctx: RequestContext,
  projectId: string,
  patch: ProjectSettingsPatch,
): Promise<ProjectModel> {
  checkCustomPatterns(ctx, patch.customPatterns);
  if (patch.piiRules !== undefined) patch = { ...patch, piiRules: checkPiiRules(patch.piiRules) };
  const row = await runAudited(ctx.deps, async (trx) => {
    const current = await findProjectForUpdate(trx, projectId);
    if (!current) throw notFound('Project');
    const { retention, ...rest } = patch;
    const definedPatch = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null));
    const before = toProjectModel(current).settings;
    const next = { ...before, ...definedPatch, retention: applyRetentionPatch(before.retention, retention) };
    const updated = await updateProjectSettingsRow(trx, projectId, next);
    if (!updated) throw notFound('Project');
    // Whole settings before and after: a reviewer reads the change without replaying history.
    const after = toProjectModel(updated).settings;
    await recordAudit(trx, ctx, { projectId, action: 'project.settings_change', targetType: 'project', targetId: projectId, details: { before, after } });
    return updated;
  });
  if (!row) throw notFound('Project');
  return toProjectModel(row);
}

export async function renameProject(ctx: RequestContext, projectId: string, name: string): Promise<ProjectModel> {
  const next = validateProjectName(name);
  const row = await runAudited(ctx.deps, async (trx) => {
    const current = await findProjectForUpdate(trx, projectId);
    if (!current) throw notFound('Project');
    if (current.name === next) return current;
    const updated = await renameProjectRow(trx, projectId, next);
    if (!updated) throw notFound('Project');
    await recordAudit(trx, ctx, { projectId, action: 'project.rename', targetType: 'project', targetId: projectId, details: { before: current.name, after: next } });
    return updated;
  });
  return toProjectModel(row);
}

/**
 * Crypto-shredding: the project's wrapped data keys are destroyed first, then the project with
 * everything that belongs to it, in one transaction with its audit entry. Content copied out
 * before (a table dump, a replica of the spans table) can then no longer be decrypted with any
 * key the server holds; docs/security.md says what it does not cover (backups holding the
 * wrapped key too, until the master key is rotated).
 */
export async function deleteProject(ctx: RequestContext, projectId: string): Promise<boolean> {
  const deleted = await runAudited(ctx.deps, async (trx) => {
    const project = await findProjectForUpdate(trx, projectId);
    if (!project) throw notFound('Project');
    const dataKeysDestroyed = await deleteProjectDataKeys(trx, projectId);
    if (!(await deleteProjectRow(trx, projectId))) throw notFound('Project');
    // audit_log has no foreign key: this entry, and the project's whole chain, outlive it.
    await recordAudit(trx, ctx, { projectId, action: 'project.delete', targetType: 'project', targetId: projectId, details: { name: project.name, dataKeysDestroyed } });
    return true;
  });
  ctx.deps.projectKeys.forget(projectId);
  return deleted;
}

export async function addProjectMember(
  ctx: RequestContext,
  projectId: string,
  email: string,
  role: RoleName,
): Promise<ProjectMemberModel> {
  if (role === 'OWNER' && (await ctx.roleIn(projectId)) !== 'OWNER') {
    throw forbidden('Only an OWNER can add another OWNER.');
  }
  const user = await findUserByEmail(ctx.deps.db, email);
  // Adding requires an existing account; invitations by e-mail are a later feature.
  if (!user) throw new AppError('NOT_FOUND', 'No account uses this e-mail address; ask them to sign up first.');
  const row = await runAudited(ctx.deps, async (trx) => {
    const inserted = await insertMember(trx, projectId, user.id, role);
    if (!inserted) throw new AppError('CONFLICT', 'This person is already a member of the project.');
    await recordAudit(trx, ctx, { projectId, action: 'member.add', targetType: 'user', targetId: user.id, details: { email: user.email, role } });
    return inserted;
  });
  return toMemberModel(row);
}

export async function updateProjectMemberRole(
  ctx: RequestContext,
  projectId: string,
  userId: string,
  role: RoleName,
): Promise<ProjectMemberModel> {
  // A malformed id would reach Postgres as a uuid cast error and be masked as an internal one.
  if (!isUuid(userId)) throw notFound('Member');
  const callerRole = await ctx.roleIn(projectId);
  return runAudited(ctx.deps, async (trx) => {
    const owners = await countOwnersForUpdate(trx, projectId);
    const target = await findMembership(trx, projectId, userId);
    if (!target) throw notFound('Member');
    if ((target.role === 'OWNER' || role === 'OWNER') && callerRole !== 'OWNER') {
      throw forbidden('Only an OWNER can promote to or demote from OWNER.');
    }
    if (target.role === 'OWNER' && role !== 'OWNER' && owners <= 1) {
      throw badInput('A project needs at least one OWNER: promote someone else first.');
    }
    const updated = await updateMemberRole(trx, projectId, userId, role);
    if (!updated) throw notFound('Member');
    await recordAudit(trx, ctx, {
      projectId,
      action: 'member.role_change',
      targetType: 'user',
      targetId: userId,
      details: { before: target.role, after: updated.role },
    });
    return toMemberModel(updated);
  });
}

export async function removeProjectMember(ctx: RequestContext, projectId: string, userId: string): Promise<boolean> {
  if (!isUuid(userId)) throw notFound('Member');
  const callerRole = await ctx.roleIn(projectId);
  return runAudited(ctx.deps, async (trx) => {
    const owners = await countOwnersForUpdate(trx, projectId);
    const target = await findMembership(trx, projectId, userId);
    if (!target) throw notFound('Member');
    if (target.role === 'OWNER' && callerRole !== 'OWNER') throw forbidden('Only an OWNER can remove an OWNER.');
    if (target.role === 'OWNER' && owners <= 1) {
      throw badInput('The last OWNER cannot be removed: promote someone else first, or delete the project.');
    }
    // Removed meanwhile by someone else: nothing changed here, so nothing to record.
    if (!(await deleteMember(trx, projectId, userId))) return false;
    await recordAudit(trx, ctx, { projectId, action: 'member.remove', targetType: 'user', targetId: userId, details: { role: target.role } });
    return true;
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
