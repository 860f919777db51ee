// The redaction part of the plugin contract, in a file with no imports at all: the SDK compiles
// this folder into its package (see sdk/tsconfig.build.json), so it must stay dependency-free.

/** What a redactor is told about the project, once per ingest request. */
export interface RedactionProject {
  projectId: string;
  /** The project's `piiRedaction` setting: PII rules apply only when it is on. */
  piiRedaction: boolean;
  /**
   * The built-in PII rules the project chose (`email`, `phone`, `card`, `secret`, and the opt-in
   * `iban`, `ip`, `ssn`). Rules of other plugins usually ignore it.
   */
  piiRules: readonly string[];
}

/** Where a piece of text sits, so a rule may decide per field. */
export interface RedactContext {
  projectId: string;
  spanId: string;
  /**
   * `input`, `output`, `metadata` (span or trace metadata) or `statusMessage` (an error's
   * message, which often quotes the input it choked on).
   */
  field: 'input' | 'output' | 'metadata' | 'statusMessage';
  /** The project's `piiRedaction` setting: PII rules apply only when it is on. */
  piiRedaction: boolean;
  /** As `RedactionProject.piiRules`; absent means the default set (e-mail, phone, card, secret). */
  piiRules?: readonly string[];
}

export interface RedactionResult {
  text: string;
  /** How many matches were replaced. Never the matched text. */
  hits: number;
}

export interface Redactor {
  /** Shown in `Span.redactions[].rule`, e.g. `email`, `card`, `customer-id`. */
  name: string;
  redact(text: string, ctx: RedactContext): RedactionResult;
  /**
   * Whether the redactor has anything to do for a project, asked once per ingest request. Omit
   * it to run on every project. The server skips a redactor that answers false, and a request
   * whose redactors all answer false is stored without walking its content at all (the PII rules
   * answer `piiRedaction` and whether the project chose them). If it throws, the redactor runs.
   */
  appliesTo?(project: RedactionProject): boolean;
}

/** As `Span.redactions`: which rule fired how often, never the matched text. */
export interface RedactionHit {
  rule: string;
  count: number;
}

/** The built-in PII rules a project runs unless it chooses others. */
export const DEFAULT_PII_RULES: readonly string[] = ['secret', 'email', 'card', 'phone'];
