// @ts-check
// History-API routing: a table of path patterns to page functions. Each page gets a fresh AbortSignal
// that is aborted when the user navigates away, so polling loops stop with their page.

/**
 * @typedef {import('./api.js').Api} Api
 * @typedef {{ api: Api, main: HTMLElement, params: Record<string, string>, query: URLSearchParams,
 *   signal: AbortSignal, navigate: (path: string) => void, announce: (text: string) => void }} PageContext
 * @typedef {(ctx: PageContext) => Promise<void> | void} Page
 */

export class Router {
  /** @param {{ routes: [string, Page][], onPage: (path: string, page: Page, params: Record<string, string>) => Promise<void> }} options */
  constructor(options) {
    this.routes = options.routes.map(([pattern, page]) => ({ ...compile(pattern), page }));
    this.onPage = options.onPage;
    window.addEventListener('popstate', () => void this.show(location.pathname + location.search));
    document.addEventListener('click', (e) => {
      const target = e.target instanceof Element ? e.target.closest('a[data-nav]') : null;
      if (!(target instanceof HTMLAnchorElement) || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      this.navigate(target.getAttribute('href') ?? '/');
    });
  }

  /** @param {string} path */
  navigate(path) {
    if (path !== location.pathname + location.search) history.pushState(null, '', path);
    void this.show(path);
  }

  /** @param {string} path */
  async show(path) {
    const pathname = path.split('?')[0] ?? '/';
    for (const route of this.routes) {
      const match = route.regex.exec(pathname);
      if (match === null) continue;
      /** @type {Record<string, string>} */
      const params = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
      await this.onPage(pathname, route.page, params);
      return;
    }
    const fallback = this.routes.find((r) => r.names.length === 0 && r.regex.test('/404'));
    if (fallback !== undefined) await this.onPage(pathname, fallback.page, {});
  }
}

/** `/plan-scripts/:id` → a regex and the parameter names; `*` matches anything. @param {string} pattern */
function compile(pattern) {
  /** @type {string[]} */
  const names = [];
  const source = pattern === '*' ? '.*' : pattern.replace(/:([a-zA-Z]+)/g, (/** @type {string} */ _, /** @type {string} */ name) => (names.push(name), '([^/]+)'));
  return { regex: new RegExp(`^${source}/?$`), names };
}
