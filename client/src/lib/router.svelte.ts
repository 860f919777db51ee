// A small history router: the current path and query as runes, navigation through
// history.pushState, and a click handler that keeps in-app links in the app.

class Router {
  path = $state(typeof location === 'undefined' ? '/' : location.pathname);
  search = $state(typeof location === 'undefined' ? '' : location.search);

  constructor() {
    if (typeof window !== 'undefined') window.addEventListener('popstate', () => this.sync());
  }

  get query(): URLSearchParams {
    return new URLSearchParams(this.search);
  }

  navigate(to: string, options: { replace?: boolean } = {}): void {
    const url = new URL(to, location.href);
    if (url.pathname + url.search === location.pathname + location.search) return;
    if (options.replace) history.replaceState(null, '', url.pathname + url.search + url.hash);
    else history.pushState(null, '', url.pathname + url.search + url.hash);
    this.sync();
    if (!options.replace) window.scrollTo(0, 0);
  }

  /** Replaces the query string of the current page (filters), keeping one history entry per change. */
  setQuery(params: URLSearchParams, options: { replace?: boolean } = {}): void {
    const qs = params.toString();
    this.navigate(`${location.pathname}${qs ? `?${qs}` : ''}`, options);
  }

  /** Another page of the list on this page: the same query with `after` set, or cleared for the first page. */
  setCursor(cursor: string | null): void {
    const params = this.query;
    if (cursor) params.set('after', cursor);
    else params.delete('after');
    this.setQuery(params);
  }

  private sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }
}

export const router = new Router();

/** Paths served by the server itself: links to them leave the app. */
const SERVER_PATHS = /^\/(graphql|auth|healthz|readyz|v1)(\/|$)/;

/** Turns clicks on ordinary same-origin links into in-app navigation. */
export function interceptLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
  event.preventDefault();
  router.navigate(url.pathname + url.search + url.hash);
}
