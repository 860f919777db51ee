import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Plugin } from 'graphql-yoga';

// GraphiQL at GET /graphql, from assets this server serves itself: an install without internet
// access (who self-hosts a governance product) gets a working GraphiQL, and no script from
// another host ever runs next to a session cookie.
//
// Yoga's own page loads GraphiQL from a CDN; @graphql-yoga/render-graphiql ships the same
// GraphiQL but inlines ~9 MB of script, style and workers into one page, which the strict CSP
// forbids. So its parts are served here as separate files under a versioned path, and the page
// is only links to them: script-src stays 'self'. Monaco (the editor) and React add <style>
// elements at run time; those are admitted by a nonce made fresh for each page, which
// prepare.js stamps on every <style> element the page creates. The assets are read lazily on
// the first request: a server that never shows GraphiQL never loads them.

const require = createRequire(import.meta.url);
const VERSION: string = (require('@graphql-yoga/render-graphiql/package.json') as { version: string }).version;

/** Where the assets live; the version in the path lets browsers cache them for good. */
export const GRAPHIQL_ASSET_PATH = `/graphql/graphiql/${VERSION}/`;

/** The dashboard's policy (dashboard.ts) with what GraphiQL needs on top: styles by nonce, inline fonts, workers. */
export function graphiqlCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

// Runs before GraphiQL. Three things the strict CSP would otherwise block:
// - <style> elements that Monaco (the editor) and React add at run time: they get the page's nonce;
// - Monaco's workers: served as files (render-graphiql would hand Monaco blob: URLs);
// - Monaco draws editor lines as HTML strings with style="…" attributes (innerHTML,
//   insertAdjacentHTML), which style-src refuses. In such strings the attribute is renamed
//   inside each tag before parsing, and its value is then applied through the CSSOM
//   (el.style.cssText), which the CSP allows: the same DOM, and no inline style admitted by the
//   policy. Text in the markup has `<` escaped, so only real tags match the tag pattern.
const PREPARE_JS = String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  var nonce = script.nonce;
  var base = script.src.slice(0, script.src.lastIndexOf('/') + 1);

  var createElement = document.createElement;
  document.createElement = function (tagName, options) {
    var element = createElement.call(document, tagName, options);
    if (String(tagName).toLowerCase() === 'style') element.setAttribute('nonce', nonce);
    return element;
  };

  var workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return base + (workers[label] || workers.editorWorkerService); }
  };

  var innerHTML = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  var insertAdjacentHTML = Element.prototype.insertAdjacentHTML;
  var STASH = 'data-tt-style';
  // Monaco passes TrustedHTML where the browser has the Trusted Types API: the same string inside.
  function markup(value) {
    if (typeof value === 'string') return value;
    return self.TrustedHTML && value instanceof self.TrustedHTML ? String(value) : null;
  }
  function stashStyles(html) {
    return html.replace(/<[a-zA-Z][^<>]*>/g, function (tag) { return tag.replace(/(\s)style=/g, '$1' + STASH + '='); });
  }
  function applyStashed(root) {
    if (!root) return;
    root.querySelectorAll('[' + STASH + ']').forEach(function (el) {
      el.style.cssText = el.getAttribute(STASH);
      el.removeAttribute(STASH);
    });
  }
  Object.defineProperty(Element.prototype, 'innerHTML', {
    configurable: true,
    enumerable: innerHTML.enumerable,
    get: innerHTML.get,
    set: function (value) {
      var html = markup(value);
      if (html === null || html.indexOf('style=') === -1) return innerHTML.set.call(this, value);
      innerHTML.set.call(this, stashStyles(html));
      applyStashed(this);
    }
  });
  Element.prototype.insertAdjacentHTML = function (position, value) {
    var html = markup(value);
    if (html === null || html.indexOf('style=') === -1) return insertAdjacentHTML.call(this, position, value);
    insertAdjacentHTML.call(this, position, stashStyles(html));
    applyStashed(/^(beforebegin|afterend)$/i.test(position) ? this.parentNode : this);
  };
})();
`;

const START_JS = `(function () {
  'use strict';
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
})();
`;

interface Asset {
  body: string | Uint8Array<ArrayBuffer>;
  type: string;
}

let assets: Promise<Map<string, Asset>> | undefined;

function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((m) => {
    const js = 'text/javascript; charset=utf-8';
    const icon = /^data:([^;,]+);base64,(.*)$/.exec(m.favicon);
    return new Map<string, Asset>([
      ['prepare.js', { body: PREPARE_JS, type: js }],
      ['graphiql.js', { body: m.js, type: js }],
      ['start.js', { body: START_JS, type: js }],
      ['graphiql.css', { body: m.css, type: 'text/css; charset=utf-8' }],
      ['editor.worker.js', { body: m.editorWorkerService, type: js }],
      ['json.worker.js', { body: m.jsonWorker, type: js }],
      ['graphql.worker.js', { body: m.graphqlWorker, type: js }],
      ...(icon ? ([['favicon.ico', { body: new Uint8Array(Buffer.from(icon[2]!, 'base64')), type: icon[1]! }]] as const) : []),
    ]);
  });
  return assets;
}

/** `<` escaped, so the JSON cannot close its <script> element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function renderGraphiqlPage(nonce: string, options: Record<string, unknown>): string {
  const asset = (name: string) => `${GRAPHIQL_ASSET_PATH}${name}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>tokentrace · GraphiQL</title>
    <link rel="icon" href="${asset('favicon.ico')}" />
    <link rel="stylesheet" href="${asset('graphiql.css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${jsonForScript(options)}</script>
    <script src="${asset('prepare.js')}" nonce="${nonce}"></script>
    <script src="${asset('graphiql.js')}"></script>
    <script src="${asset('start.js')}"></script>
  </body>
</html>
`;
}

function wantsHtml(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
}

export interface UseLocalGraphiQLOptions {
  /** The GraphQL endpoint the page sends its queries to. @default '/graphql' */
  endpoint?: string;
}

/** Serves GraphiQL (GET /graphql from a browser) and its assets; use with `graphiql: false`. */
export function useLocalGraphiQL(options: UseLocalGraphiQLOptions = {}): Plugin {
  const endpoint = options.endpoint ?? '/graphql';
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname.startsWith(GRAPHIQL_ASSET_PATH)) {
        const name = url.pathname.slice(GRAPHIQL_ASSET_PATH.length);
        return loadAssets().then((all) => {
          const found = all.get(name);
          endResponse(
            found
              ? new fetchAPI.Response(request.method === 'HEAD' ? null : found.body, {
                  status: 200,
                  headers: { ...SECURITY_HEADERS, 'content-type': found.type, 'cache-control': 'public, max-age=31536000, immutable' },
                })
              : new fetchAPI.Response('Not found.', { status: 404, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' } }),
          );
        });
      }
      if ((url.pathname === endpoint || url.pathname === `${endpoint}/`) && wantsHtml(request)) {
        const nonce = randomBytes(18).toString('base64');
        const page = renderGraphiqlPage(nonce, { endpoint, title: 'tokentrace · GraphiQL' });
        endResponse(
          new fetchAPI.Response(page, {
            status: 200,
            headers: {
              ...SECURITY_HEADERS,
              'content-security-policy': graphiqlCsp(nonce),
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
            },
          }),
        );
      }
    },
  };
}
