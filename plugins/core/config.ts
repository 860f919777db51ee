import type { PluginEntry } from './plugin';

/** The shape of `tokentrace.config.ts` (or the file `TOKENTRACE_CONFIG` names). */
export interface TokentraceConfig {
  /**
   * The plugins to load, in order: redactors run in this order, and at most one may set a codec.
   * Omitting a built-in turns it off.
   */
  plugins: PluginEntry[];
}

export const defineConfig = (config: TokentraceConfig): TokentraceConfig => config;
