import type { ModelPriceInput } from '../../lib/generated/graphql';

// The price form's text fields, checked and turned into the mutation's input.

export interface PriceDraft {
  model: string;
  match: 'EXACT' | 'PATTERN';
  input: string;
  cachedInput: string;
  cacheWrite: string;
  output: string;
  perRequest: string;
  /** `YYYY-MM-DD` (UTC day) or empty for "from the beginning". */
  effectiveFrom: string;
}

export const emptyPriceDraft = (model = ''): PriceDraft => ({ model, match: 'EXACT', input: '', cachedInput: '', cacheWrite: '', output: '', perRequest: '', effectiveFrom: '' });

function amount(text: string, label: string, required: boolean): number | null {
  const t = text.trim();
  if (!t) {
    if (required) throw new Error(`${label} is needed (0 is fine).`);
    return null;
  }
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${label} must be a number of dollars, 0 or more.`);
  return n;
}

/** The mutation input, or an Error whose message tells what to fix. */
export function toPriceInput(d: PriceDraft): ModelPriceInput | Error {
  try {
    if (!d.model.trim()) throw new Error('Name the model (or write a pattern).');
    const input: ModelPriceInput = {
      model: d.model.trim(),
      match: d.match,
      inputUsdPerMillion: amount(d.input, 'Input price', true)!,
      outputUsdPerMillion: amount(d.output, 'Output price', true)!,
    };
    const cached = amount(d.cachedInput, 'Cached input price', false);
    const write = amount(d.cacheWrite, 'Cache write price', false);
    const perRequest = amount(d.perRequest, 'Price per request', false);
    if (cached !== null) input.cachedInputUsdPerMillion = cached;
    if (write !== null) input.cacheWriteUsdPerMillion = write;
    if (perRequest !== null) input.perRequestUsd = perRequest;
    if (d.effectiveFrom) {
      const day = new Date(`${d.effectiveFrom}T00:00:00Z`);
      if (Number.isNaN(day.getTime())) throw new Error('The effective date is not a date.');
      input.effectiveFrom = day.toISOString();
    }
    return input;
  } catch (err) {
    return err as Error;
  }
}
