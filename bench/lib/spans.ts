// Deterministic bench spans. Batch `g` of a run always holds the same spans, so the HTTP
// senders and the raw-INSERT baseline write identical rows (into different projects).
//
// A batch of `size` spans is cut into traces of SPANS_PER_TRACE (or `spansPerTrace`): the first
// span of each is the root (an AGENT span carrying the trace attributes), the others are its
// GENERATION children. One span a trace is the shape of an exporter's batch from a busy service:
// many requests' spans, few of each.
// Every span has ~1 KB of chat messages as input and ~1 KB of assistant text as output.

import { seededRandom } from '../../plugins/core/seeded-random';

export const SPANS_PER_TRACE = 10;
export const MODEL = 'gpt-4o-mini';

/** The GraphQL `SpanInput` as it travels in the request variables. */
export interface BenchSpan {
  id: string;
  traceId: string;
  parentId: string | null;
  kind: 'AGENT' | 'GENERATION';
  name: string;
  model: string;
  provider: string;
  input: { messages: { role: string; content: string }[] };
  output: { role: string; content: string };
  promptTokens: number;
  completionTokens: number;
  startTime: string;
  endTime: string;
  metadata: Record<string, unknown>;
  trace?: { name: string; userId: string; sessionId: string; tags: string[] };
}

const SENTENCES = [
  'Thanks for reaching out about your order, I have looked into the shipment details for you.',
  'The package left our warehouse on Tuesday and is currently with the regional carrier.',
  'Could you confirm the email address associated with the account so I can verify ownership?',
  'I understand how frustrating a delayed delivery can be, especially before a trip.',
  'According to the tracking page, the next scan is expected within the next two business days.',
  'If the item does not arrive by Friday, we can issue a replacement or a full refund.',
  'Please note that refunds are returned to the original payment method within five days.',
  'The invoice lists two line items: the annual subscription and a one-time setup fee.',
  'Our documentation explains how to rotate API keys without interrupting running services.',
  'You can export the report as CSV from the dashboard by choosing the date range first.',
  'The error usually means the request was sent without the Authorization header.',
  'I have escalated the ticket to the billing team, who will reply by email within a day.',
  'Summarise the customer conversation below in three bullet points for the support lead.',
  'Classify the intent of the message as billing, shipping, technical or other.',
  'Answer politely, cite the relevant policy, and never promise a date we cannot keep.',
  'The customer mentioned that the discount code from the newsletter was rejected at checkout.',
  'Codes from the spring campaign expired at the end of April, which explains the rejection.',
  'As a goodwill gesture I have applied a ten percent credit to your next invoice.',
  'Is there anything else I can help you with today regarding your account or orders?',
  'The retrieval step returned four passages from the help centre with similar wording.',
  'Your current plan includes five seats; adding a sixth seat is prorated for this month.',
  'We recommend enabling two-factor authentication for every administrator on the workspace.',
  'The webhook retries failed deliveries with exponential backoff for up to twenty-four hours.',
  'Let me check whether the warehouse in Rotterdam still has the blue variant in stock.',
];

const SYSTEM_PROMPT =
  'You are a helpful, concise customer support assistant for an online store. Use the tools ' +
  'when you need order data, follow the refund policy, and answer in the language of the user. ' +
  'Do not reveal internal notes. If you are unsure, say so and offer to escalate to a human agent.';

function text(next: () => number, chars: number): string {
  let out = '';
  while (out.length < chars) out += (out ? ' ' : '') + SENTENCES[Math.floor(next() * SENTENCES.length)]!;
  return out;
}

/**
 * Batch number `g` of the run `runTag`: `size` spans, ids unique across the run.
 * Times are spread over the hour before `baseTimeMs`.
 */
export function makeBatch(runTag: string, g: number, size: number, baseTimeMs: number, spansPerTrace = SPANS_PER_TRACE): BenchSpan[] {
  const next = seededRandom(g * 7919 + 17);
  const spans: BenchSpan[] = [];
  let traceStart = baseTimeMs - 3_600_000 + ((g * 997) % 3_000_000);
  let traceId = '';
  let rootId = '';
  for (let i = 0; i < size; i++) {
    const t = Math.floor(i / spansPerTrace);
    const isRoot = i % spansPerTrace === 0;
    const id = `${runTag}-b${g}-s${i}`;
    if (isRoot) {
      traceId = `${runTag}-b${g}-t${t}`;
      rootId = id;
      traceStart += 5_000;
    }
    const start = traceStart + (i % spansPerTrace) * 350;
    const promptTokens = 250 + Math.floor(next() * 400);
    const completionTokens = 120 + Math.floor(next() * 300);
    const span: BenchSpan = {
      id,
      traceId,
      parentId: isRoot ? null : rootId,
      kind: isRoot ? 'AGENT' : 'GENERATION',
      name: isRoot ? 'support-chat' : 'chat.completions',
      model: MODEL,
      provider: 'openai',
      input: {
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: text(next, 640) },
        ],
      },
      output: { role: 'assistant', content: text(next, 960) },
      promptTokens,
      completionTokens,
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + 300 + Math.floor(next() * 2_500)).toISOString(),
      metadata: { temperature: 0.2, max_tokens: 1024, stream: false },
    };
    if (isRoot) {
      span.trace = {
        name: 'support-chat',
        userId: `customer-${(g * 10 + t) % 500}`,
        sessionId: `session-${g}-${t}`,
        tags: ['bench', 'support'],
      };
    }
    spans.push(span);
  }
  return spans;
}
