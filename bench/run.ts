// `npm run bench -- <name> [args…]` runs one benchmark of this directory (after `npm run build`);
// without a name it lists them.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const helpers = new Set(['run', 'results-file', 'nbd-disks']);
const names = readdirSync(here).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).filter((n) => !helpers.has(n)).sort();
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  console.log(`usage: npm run bench -- <${names.join('|')}> [arguments]`);
  process.exitCode = name === undefined ? 0 : 2;
} else {
  process.argv = [process.argv[0]!, `${here}/${name}.js`, ...rest];
  await import(`./${name}.js`);
}
