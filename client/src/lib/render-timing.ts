// Render timing of the trace list, for the 50-row budget the browser tests check: from the
// moment data arrived to the DOM being updated, and to the next frame. Kept out of the
// components, which only say when data came (`markTracesData`) and when it was shown.

const DATA = 'tt:traces-data';

/** Called when the page's query delivers rows. */
export function markTracesData(): void {
  performance.mark(DATA);
}

/** Called from an effect once the rows are in the DOM: measures `tt:traces-render` and `tt:traces-render-frame`. */
export function measureTracesRendered(): void {
  try {
    performance.mark('tt:traces-rendered');
    performance.measure('tt:traces-render', DATA, 'tt:traces-rendered');
    requestAnimationFrame(() => {
      performance.mark('tt:traces-frame');
      performance.measure('tt:traces-render-frame', DATA, 'tt:traces-frame');
    });
  } catch {
    // no data mark yet (first render from cache): nothing to measure
  }
}
