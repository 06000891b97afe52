// Shell wildcard matching for the `glob` command, as glob(3) with GLOB_MARK|GLOB_BRACE does it in the
// appliance: `*`, `?`, `[…]` per path component, `{a,b}` alternatives, no match for a leading dot.
import type { ImageFs } from '../guestfs/image-fs.js';
import { joinGuest } from './guest-tree.js';

export function hasWildcard(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/** `{a,b}c` → [`ac`, `bc`], nested and repeated braces included; unbalanced braces stay literal. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const inner = pattern.slice(open + 1, i);
        const parts: string[] = [];
        let level = 0;
        let start = 0;
        for (let j = 0; j < inner.length; j++) {
          if (inner[j] === '{') level++;
          else if (inner[j] === '}') level--;
          else if (inner[j] === ',' && level === 0) {
            parts.push(inner.slice(start, j));
            start = j + 1;
          }
        }
        parts.push(inner.slice(start));
        if (parts.length === 1) continue;
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        return parts.flatMap((part) => expandBraces(head + part + tail));
      }
    }
  }
  return [pattern];
}

/** One path component's wildcard as a RegExp. */
export function componentRegExp(component: string): RegExp {
  let source = '';
  for (let i = 0; i < component.length; i++) {
    const ch = component[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '\\' && i + 1 < component.length) source += escapeRe(component[++i]!);
    else if (ch === '[') {
      const close = component.indexOf(']', i + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = component.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += escapeRe(ch);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function kind(fs: ImageFs, path: string): Promise<string | undefined> {
  try {
    return (await fs.stat(path)).kind;
  } catch {
    return undefined;
  }
}

/**
 * The guest paths matching an absolute pattern, sorted bytewise, directories marked with a trailing `/`.
 * `fsFor` maps a guest path to its filesystem and inner path (mounts included).
 */
export async function globGuest(pattern: string, fsFor: (path: string) => { fs: ImageFs; path: string }): Promise<string[]> {
  const results = new Set<string>();
  for (const expanded of expandBraces(pattern)) {
    const components = expanded.split('/').filter((c) => c !== '');
    let current = ['/'];
    for (const component of components) {
      const next: string[] = [];
      for (const dir of current) {
        if (!hasWildcard(component)) {
          const candidate = joinGuest(dir, component.replace(/\\(.)/g, '$1'));
          const { fs, path } = fsFor(candidate);
          if ((await kind(fs, path)) !== undefined || (await isLink(fs, path))) next.push(candidate);
          continue;
        }
        const { fs, path } = fsFor(dir);
        if ((await kind(fs, path)) !== 'directory') continue;
        const re = componentRegExp(component);
        for (const name of await fs.readdir(path)) {
          if (name.startsWith('.') && !component.startsWith('.')) continue;
          if (re.test(name)) next.push(joinGuest(dir, name));
        }
      }
      current = next;
    }
    for (const path of current) {
      const { fs, path: inner } = fsFor(path);
      results.add((await kind(fs, inner)) === 'directory' && path !== '/' ? `${path}/` : path);
    }
  }
  return [...results].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function isLink(fs: ImageFs, path: string): Promise<boolean> {
  try {
    return (await fs.lstat(path)).kind === 'symlink';
  } catch {
    return false;
  }
}
