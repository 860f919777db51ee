import { createRequire } from 'node:module';

// The server's version, from package.json (SemVer; see CHANGELOG.md).
const require = createRequire(import.meta.url);
export const TOKENTRACE_VERSION: string = (require('../package.json') as { version: string }).version;
