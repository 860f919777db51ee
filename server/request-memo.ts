// What one request remembers: a membership, a project's settings, a trace's stored content. Each
// kind is a `MemoSlot<Arg, Value>` declared once beside the code that loads it, so a value read
// back has the type it was stored with: no string keys, no casts. Values live as long as the
// request's RequestMemo (a fresh one per request; a subscription's lives with its stream).

/** The memo of one request: an identity that slots keep their values under. */
export class RequestMemo {
  // Nominal: only a RequestMemo made here is one, not any object of the same (empty) shape.
  readonly #request = true;
}

/** One kind of remembered value, keyed by an argument (a project id, a trace). */
export class MemoSlot<Arg, Value> {
  // Weak: a request's values go with its memo.
  readonly #byRequest = new WeakMap<RequestMemo, Map<string, Promise<Value>>>();

  constructor(private readonly keyOf: (arg: Arg) => string = String) {}

  /** The value for `arg`, loaded once per request. */
  get(memo: RequestMemo, arg: Arg, load: () => Promise<Value>): Promise<Value> {
    const values = this.#values(memo);
    const key = this.keyOf(arg);
    let value = values.get(key);
    if (!value) {
      value = load();
      values.set(key, value);
    }
    return value;
  }

  /** Remembers a value already known (e.g. settings that came with the ingest key). */
  set(memo: RequestMemo, arg: Arg, value: Value): void {
    this.#values(memo).set(this.keyOf(arg), Promise.resolve(value));
  }

  #values(memo: RequestMemo): Map<string, Promise<Value>> {
    let values = this.#byRequest.get(memo);
    if (!values) {
      values = new Map();
      this.#byRequest.set(memo, values);
    }
    return values;
  }
}
