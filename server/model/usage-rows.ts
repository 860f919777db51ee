// The usage roll-ups' row shapes, as the schema's Usage types expose them. They are defined by
// the repository that reads them; the schema names them through here, not through the repository.
export type { ModelUsageRow, UsageBucketRow } from '../db/repositories/usage';
