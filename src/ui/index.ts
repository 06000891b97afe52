// Serves the web UI (static files under ./web) at `/`, with a history-routing fallback to index.html
// that never answers for `/rest/*`. The UI talks to the REST API only; nothing here is an endpoint.
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';

export interface UiOptions {
  /** Folder holding index.html and its assets; defaults to this module's `web` folder (source tree). */
  root?: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** The browser files: next to this module in the source tree, or `src/ui/web` seen from `dist/src/ui`. */
export function defaultUiRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, 'web'), join(here, '..', '..', '..', 'src', 'ui', 'web')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0]!;
}

// No-store on the shell so an upgraded appliance never runs old scripts against a new API.
const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'cache-control': 'no-cache',
};

/**
 * Registers GET/HEAD handlers for the UI on `app`: files under `root` by path, and index.html for any
 * other path outside `/rest` (client-side routes such as `/plan-scripts/<id>`). Call it after the API
 * routes are mounted; unknown `/rest/*` paths still reach the app's not-found handler.
 */
export function registerUi(app: Hono, options: UiOptions = {}): void {
  const root = normalize(options.root ?? defaultUiRoot());
  const serve = async (c: Context): Promise<Response> => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    if (path === '/rest' || path.startsWith('/rest/')) return c.notFound();
    const file = normalize(join(root, path));
    if (file.startsWith(root + sep) && extname(file) !== '') {
      const found = await stat(file).catch(() => undefined);
      if (found?.isFile() === true) {
        const type = contentTypes[extname(file)] ?? 'application/octet-stream';
        return new Response(c.req.method === 'HEAD' ? null : await readFile(file), { headers: { ...securityHeaders, 'content-type': type } });
      }
      // A missing asset is a 404, not the shell: a broken script tag must show as such.
      return c.notFound();
    }
    const html = await readFile(join(root, 'index.html'));
    return new Response(c.req.method === 'HEAD' ? null : html, { headers: { ...securityHeaders, 'content-type': contentTypes['.html']! } });
  };
  app.get('*', serve);
}
