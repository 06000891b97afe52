// `npm run docs:commands`: writes the plan-script command reference to docs/plan-script-commands.md
// (or to the path given as the first argument). The reference test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderCommandReference } from './reference.js';

const target = resolve(process.argv[2] ?? 'docs/plan-script-commands.md');
writeFileSync(target, renderCommandReference());
process.stdout.write(`Wrote ${target}\n`);
