// The committed command reference is the one the command specs render, and it covers every command.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_COMMANDS, renderCommandReference, UNSUPPORTED_REASONS } from '../../src/planscript/index.js';

const docPath = fileURLToPath(new URL('../../docs/plan-script-commands.md', import.meta.url));
const rendered = renderCommandReference();

describe('docs/plan-script-commands.md', () => {
  it('is what the command specs render (else run npm run docs:commands)', () => {
    let committed = '';
    try {
      committed = readFileSync(docPath, 'utf8');
    } catch {
      // compared below, so the message says what to do
    }
    expect(committed === rendered, 'docs/plan-script-commands.md is stale: run npm run docs:commands and commit it').toBe(true);
  });

  it('has a row for every built-in command with its synopsis and whether it writes', () => {
    for (const spec of BUILTIN_COMMANDS) {
      const row = rendered.split('\n').find((line) => line.startsWith(`| \`${spec.name}\``));
      expect(row, spec.name).toBeDefined();
      expect(row).toContain(`\`${spec.synopsis.replaceAll('|', '\\|')}\``);
      expect(row).toContain(spec.writes ? '| yes |' : '| no |');
      for (const alias of spec.aliases ?? []) expect(row).toContain(`\`${alias}\``);
    }
  });

  it('lists every unsupported command with its reason and says other guestfish commands need guestfish', () => {
    for (const [name, reason] of UNSUPPORTED_REASONS) expect(rendered).toContain(`| \`${name}\` | ${reason} |`);
    expect(rendered).toContain('every other guestfish command');
    expect(rendered).toContain('libguestfs-tools');
  });

  it('describes the -, !, <!, here-document, pipe and attribute syntax', () => {
    for (const form of ['`-cmd args`', '`!host command`', '`<!host command`', '`upload -<<END /guest/path`', '`cmd args \\| host pipeline`', '`@Name:default@`']) {
      expect(rendered).toContain(form);
    }
  });
});
