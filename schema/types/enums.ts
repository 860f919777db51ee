import { builder } from '../builder';

export const RoleEnum = builder.enumType('Role', {
  values: ['OWNER', 'ADMIN', 'VIEWER'] as const,
  description: 'A member’s role in one project. VIEWER is read-only.',
});

export const SpanKindEnum = builder.enumType('SpanKind', {
  values: ['SPAN', 'GENERATION', 'EVENT', 'TOOL', 'RETRIEVAL', 'AGENT'] as const,
});

export const SpanStatusEnum = builder.enumType('SpanStatus', { values: ['OK', 'ERROR'] as const });

export const ContentVisibilityEnum = builder.enumType('ContentVisibility', {
  values: ['MEMBERS', 'ADMINS_ONLY'] as const,
  description:
    'Who may read content — span input, output, statusMessage and metadata, and trace metadata: every member, or ADMIN and OWNER only.',
});
