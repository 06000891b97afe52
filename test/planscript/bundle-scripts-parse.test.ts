// Every plan script in HPE's fixture bundles parses, with no line guestfish would refuse.
import { beforeAll, describe, expect, it } from 'vitest';
import { substitute } from '../../src/attributes/index.js';
import { parseScript } from '../../src/planscript/index.js';
import { loadFixtureBundles, type FixtureBundle } from './fixture-bundles.js';

let bundles: FixtureBundle[];
beforeAll(async () => {
  bundles = await loadFixtureBundles();
});

describe('fixture plan scripts', () => {
  it('all parse, before and after substitution, with no invalid line', () => {
    let scripts = 0;
    let heredocs = 0;
    for (const bundle of bundles) {
      for (const script of bundle.planScripts) {
        for (const text of [script.content, substitute(script.content, {}).text]) {
          const { statements } = parseScript(text, { step: script.name });
          expect(statements.filter((s) => s.kind === 'invalid'), `${bundle.file}: ${script.name}`).toEqual([]);
          heredocs += statements.filter((s) => s.kind === 'command' && s.heredoc !== undefined).length;
        }
        scripts++;
      }
    }
    expect(scripts).toBe(36);
    expect(heredocs).toBeGreaterThan(20);
  });

  it('give the developer UEFI script its message.txt here-document', () => {
    const developer = bundles.find((b) => b.file.startsWith('HPE-ImageStreamer-Developer'))!;
    const script = developer.planScripts.find((s) => s.name === 'HPE - Developer 1.0 - example UEFI personalization script - 2017-03-24')!;
    const { statements } = parseScript(substitute(script.content, { ExampleString1: 'one' }).text);
    const upload = statements.find((s) => s.kind === 'command' && s.name === 'upload');
    expect(upload).toMatchObject({ args: ['-<<EOF', '/EFI/BOOT/message.txt'] });
    expect(upload?.kind === 'command' && upload.heredoc?.body).toContain('    ExampleString1: one\n    ExampleString2: \n    ExampleString3: Script Default\n');
  });
});
