import { formatCost, formatInt } from '../../lib/format';

// How the dashboard says "unknown": a trace's tokens when some generations reported no usage,
// its cost when some spans have no price. Never 0 or $0 for what nobody knows.

export interface ShownFigure {
  text: string;
  /** Why the figure is partial or missing, for a tooltip; empty when it is complete. */
  note: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function tokensText(total: number, withoutUsage: number): ShownFigure {
  if (withoutUsage === 0) return { text: formatInt(total), note: '' };
  const note = `usage not reported for ${plural(withoutUsage, 'generation')}`;
  return total === 0 ? { text: 'not reported', note } : { text: `${formatInt(total)}*`, note: `${note}: not counted` };
}

export function costText(total: number | null, unpriced: number): ShownFigure {
  if (total === null) return { text: '—', note: unpriced > 0 ? `${plural(unpriced, 'span')} without a known cost` : '' };
  if (unpriced === 0) return { text: formatCost(total), note: '' };
  return { text: `${formatCost(total)}*`, note: `${plural(unpriced, 'span')} without a known cost: not counted` };
}
