import type { RequestContext } from '../../context';
import { findUserById } from '../../db/repositories/users';
import type { ContentReadEntry } from './access-log-writer';

// Records reads of span content for projects with `auditContentReads` on: one entry per
// reader, request and trace, listing the spans read (the GraphQL resolvers of Span.input and
// Span.output, live tail included, and the export call this). A project with the setting off
// costs one memoised settings lookup per request.

type Actor = ContentReadEntry['actor'];

const openEntries = new WeakMap<RequestContext, Map<string, ContentReadEntry>>();
const actors = new WeakMap<RequestContext, Promise<Actor>>();

/** Who is reading: the user (labelled with their e-mail), or their personal access token. */
function actorOf(ctx: RequestContext): Promise<Actor> {
  let actor = actors.get(ctx);
  if (!actor) {
    const p = ctx.principal;
    actor = (async (): Promise<Actor> => {
      if (p.kind !== 'user') return { type: p.kind, id: null, label: null };
      const email = (await findUserById(ctx.deps.db, p.userId))?.email ?? null;
      return p.via === 'token' ? { type: 'token', id: p.tokenId, label: email } : { type: 'user', id: p.userId, label: email };
    })();
    actors.set(ctx, actor);
  }
  return actor;
}

/** Whether reads in this project are to be recorded (memoised per request). */
export async function auditsContentReads(ctx: RequestContext, projectId: string): Promise<boolean> {
  return (await ctx.projectSettings(projectId))?.auditContentReads === true;
}

/** Notes that `spanIds` of a trace were read in this request, when the project asks for it. */
export async function noteContentRead(ctx: RequestContext, projectId: string, traceId: string, spanIds: Iterable<string>, via: ContentReadEntry['via'] = 'graphql'): Promise<void> {
  if (!(await auditsContentReads(ctx, projectId))) return;
  const actor = await actorOf(ctx);
  let entries = openEntries.get(ctx);
  if (!entries) openEntries.set(ctx, (entries = new Map()));
  const key = `${via}/${projectId}/${traceId}`;
  let entry = entries.get(key);
  if (!entry || entry.taken) {
    entry = { projectId, traceId, spanIds: new Set(), via, actor, ip: ctx.meta.ip, userAgent: ctx.meta.userAgent, at: new Date() };
    entries.set(key, entry);
    ctx.deps.accessLog.record(entry);
  }
  for (const id of spanIds) entry.spanIds.add(id);
}
