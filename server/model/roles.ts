// Names shared by the table types, the services and the schema's scopes. server/model holds what
// the schema may import besides services (docs/architecture.md): plain types and constants.

/** A member's role in a project, highest first. */
export type RoleName = 'OWNER' | 'ADMIN' | 'VIEWER';
