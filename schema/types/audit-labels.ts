import { auditActorName, auditTargetLabel } from '../../server/services/audit-labels';
import { builder } from '../builder';
import { AuditActorRef, AuditLogEntryRef } from './audit';

// Names beside the audit log's ids, ADMIN+ like the rest of the log.

builder.objectField(AuditLogEntryRef, 'targetLabel', (t) =>
  t.string({
    nullable: true,
    description: 'A readable name for the target: an e-mail, a key’s name and prefix, a project’s name (as now, or as recorded when it is gone).',
    authScopes: (entry) => ({ projectAdmin: entry.projectId }),
    resolve: (entry, _args, ctx) => auditTargetLabel(ctx, entry.projectId, entry),
  }),
);

builder.objectField(AuditActorRef, 'name', (t) =>
  t.string({
    nullable: true,
    description: 'Who acted, readably: a user’s e-mail, a token’s owner and name, an API key’s name.',
    authScopes: (actor) => ({ projectAdmin: actor.projectId }),
    resolve: (actor, _args, ctx) => auditActorName(ctx, actor.projectId, actor),
  }),
);
