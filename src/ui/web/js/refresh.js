// @ts-check
// Keeping a page current while it is open: re-reads on a timer, stops when the user leaves the page, and
// waits while keyboard focus is inside the part it would rebuild (rebuilding would throw focus away).
import { sleep } from './api.js';

/**
 * @param {import('./router.js').PageContext} ctx @param {HTMLElement} region @param {number} intervalMs
 * @param {() => Promise<void>} update rebuilds `region`
 */
export function keepFresh(ctx, region, intervalMs, update) {
  void (async () => {
    while (!ctx.signal.aborted) {
      await sleep(intervalMs, ctx.signal).catch(() => undefined);
      if (ctx.signal.aborted || region.contains(document.activeElement)) continue;
      await update().catch(() => undefined);
    }
  })();
}
