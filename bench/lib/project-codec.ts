import type { ContentCodec, ProjectKeys } from '../../plugins/core/codec';
import type { App } from '../../server/app';

// The server's codec with one project's data keys bound in, as ingest calls it: benches that
// write rows themselves (the raw-INSERT baselines) seal content exactly as ingest would.

export async function codecForProject(app: App, projectId: string): Promise<ContentCodec> {
  const keys: ProjectKeys | undefined = await app.deps.projectKeys.forProject(projectId);
  const codec = app.deps.codec;
  if (!keys) return codec;
  return {
    ...codec,
    encode: (plain, ctx) => codec.encode(plain, { ...ctx, keys }),
    decode: (stored, ctx) => codec.decode(stored, { ...ctx, keys }),
  };
}
