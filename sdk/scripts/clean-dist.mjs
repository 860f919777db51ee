// Start every build from an empty dist/, so no file of an older layout is published.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
