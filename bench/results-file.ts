// bench/RESULTS.md holds one block per benchmark between `<!-- name:begin -->` and `<!-- name:end -->`;
// a run replaces its own block and leaves the others alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function writeResultsBlock(name: string, lines: readonly string[]): void {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'RESULTS.md');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current.includes(begin) && current.includes(end)) {
    writeFileSync(file, current.slice(0, current.indexOf(begin)) + block + current.slice(current.indexOf(end) + end.length));
  } else {
    writeFileSync(file, `${current}\n${block}\n`);
  }
}
