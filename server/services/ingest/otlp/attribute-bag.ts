import { AttributeTooDeepError, anyValueToJson, type OtlpKeyValue } from './otlp-values';

// A span's attributes as the mapping reads them: each key the mapping uses is marked, so what is
// left over — and is not content — becomes the span's metadata.

export class AttributeBag {
  private readonly values = new Map<string, unknown>();
  private readonly used = new Set<string>();
  /** The first attribute nested too deep to read: the span is rejected, naming it. */
  readonly tooDeep: string | undefined;

  constructor(attributes: readonly OtlpKeyValue[]) {
    let tooDeep: string | undefined;
    for (const kv of attributes) {
      try {
        this.values.set(kv.key, anyValueToJson(kv.value));
      } catch (err) {
        if (!(err instanceof AttributeTooDeepError)) throw err;
        tooDeep ??= kv.key;
      }
    }
    this.tooDeep = tooDeep;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** The value, without marking it used. */
  peek(key: string): unknown {
    return this.values.get(key);
  }

  /** The value of the first key present; every key listed is marked used (they mean the same). */
  pick(keys: readonly string[]): unknown {
    let found: unknown;
    for (const key of keys) {
      if (!this.values.has(key)) continue;
      this.used.add(key);
      if (found === undefined) found = this.values.get(key);
    }
    return found;
  }

  /** As pick, for a string value (undefined otherwise, and for an empty string). */
  pickString(keys: readonly string[]): string | undefined {
    const value = this.pick(keys);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** Every attribute under `prefix` (e.g. `llm.input_messages.`), marked used, with the prefix cut off. */
  takePrefix(prefix: string): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const [key, value] of this.values) {
      if (!key.startsWith(prefix)) continue;
      this.used.add(key);
      out.push([key.slice(prefix.length), value]);
    }
    return out;
  }

  markUsed(key: string): void {
    this.used.add(key);
  }

  /** Attributes no mapping used, in the order they came. */
  *unused(): Generator<[string, unknown]> {
    for (const entry of this.values) if (!this.used.has(entry[0])) yield entry;
  }
}
