// Ingest's hand-written multi-row statements have one text per row count. Each text is built once
// and kept, rather than by the query builder on every batch (for 100 spans that was 2,100 value
// nodes built and compiled per request), and the same text each time is what lets Postgres reuse a
// prepared statement. Only the last `size` counts are kept: a client sending every batch size
// cannot grow the cache.

export function textPerRowCount(size: number, build: (rowCount: number) => string): (rowCount: number) => string {
  const texts = new Map<number, string>();
  return (rowCount) => {
    let text = texts.get(rowCount);
    if (text === undefined) {
      text = build(rowCount);
      if (texts.size >= size) texts.delete(texts.keys().next().value!);
      texts.set(rowCount, text);
    }
    return text;
  };
}
