// @ts-check
// Links to related resources named by their uri only (a profile's OS volume, a volume's golden image):
// shown at once with the id, then with the resource's name once read. One read per uri per page.
import { link } from './dom.js';
import { routeOf } from './task-view.js';

/**
 * A maker of such links for one page; uris without a page in the UI come out as plain text.
 * @param {import('./router.js').PageContext} ctx
 * @returns {(uri: string | null | undefined, known?: string) => HTMLElement | string}
 */
export function resourceLinks(ctx) {
  /** @type {Map<string, Promise<string | undefined>>} */
  const names = new Map();
  return (uri, known) => {
    if (uri === null || uri === undefined || uri === '') return '—';
    const route = routeOf(uri);
    const id = uri.split('/').pop() ?? uri;
    if (route === undefined) return known ?? id;
    const a = link(route, known ?? id);
    if (known === undefined) {
      let name = names.get(uri);
      if (name === undefined) {
        name = ctx.api.get(uri, ctx.signal).then((r) => {
          const n = typeof r === 'object' && r !== null && 'name' in r ? r.name : undefined;
          return typeof n === 'string' && n !== '' ? n : undefined;
        }, () => undefined);
        names.set(uri, name);
      }
      void name.then((n) => {
        if (n !== undefined) a.textContent = n;
      });
    }
    return a;
  };
}
