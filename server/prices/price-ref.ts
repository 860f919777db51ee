// Which price costed a span, as stored in spans.price_ref: 'builtin:<model_prices.id>' or
// 'project:<project_model_prices.id>'.

export type PriceRef = { kind: 'builtin'; id: number } | { kind: 'project'; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const builtInPriceRef = (id: number | string): string => `builtin:${id}`;
export const projectPriceRef = (id: string): string => `project:${id}`;

/** The parts of a stored or client-sent ref; null for anything else (never a database cast error). */
export function parsePriceRef(ref: string): PriceRef | null {
  const builtIn = /^builtin:(\d{1,9})$/.exec(ref);
  if (builtIn) return { kind: 'builtin', id: Number(builtIn[1]) };
  const project = /^project:(.+)$/.exec(ref);
  if (project && UUID.test(project[1]!)) return { kind: 'project', id: project[1]!.toLowerCase() };
  return null;
}
