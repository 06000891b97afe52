import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../test/nbd/tools.js';
import { checkImportPath } from './import-path.js';

const root = mkdtempSync(join(tmpdir(), 'streamer-import-path-'));
const dataDir = join(root, 'data');
mkdirSync(join(dataDir, 'volumes'), { recursive: true });
writeFileSync(join(dataDir, 'streamer.db'), 'the database');
writeFileSync(join(dataDir, 'volumes', 'layer-data'), 'a volume');
mkdirSync(join(root, 'data-other'));
writeFileSync(join(root, 'data-other', 'image.raw'), 'an image');
writeFileSync(join(root, 'image.raw'), 'an image');
symlinkSync(dataDir, join(root, 'data-link'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const code = async (path: string, options = { dataDir }): Promise<string> => {
  try {
    await (await checkImportPath(path, options)).close();
    return 'allowed';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('checkImportPath', () => {
  it('allows files beside the data directory, in its parent and in a directory whose name starts like it', async () => {
    expect(await code(join(root, 'image.raw'))).toBe('allowed');
    expect(await code(join(root, 'data-other', 'image.raw'))).toBe('allowed');
    const source = await checkImportPath(join(root, 'data-other', '..', 'image.raw'), { dataDir });
    await source.close();
    expect({ path: source.path, realPath: source.realPath, sizeBytes: source.sizeBytes }).toEqual({ path: join(root, 'image.raw'), realPath: join(root, 'image.raw'), sizeBytes: 8 });
  });

  it('reads the file it checked: a file renamed onto the path afterwards (here a link into the data directory) is not what the import reads', async () => {
    const dir = mkdtempSync(join(root, 'swap-'));
    writeFileSync(join(dir, 'image.raw'), 'the checked image');
    const source = await checkImportPath(join(dir, 'image.raw'), { dataDir });
    try {
      symlinkSync(join(dataDir, 'streamer.db'), join(dir, 'swap'));
      renameSync(join(dir, 'swap'), join(dir, 'image.raw'));
      expect(readFileSync(join(dir, 'image.raw'), 'utf8')).toBe('the database'); // the path now leads there
      expect(source.readPath).toMatch(new RegExp(`^/proc/${process.pid}/fd/\\d+$`));
      expect(readFileSync(source.readPath, 'utf8')).toBe('the checked image');
      // so do the tools the import starts (qemu-img), opening the path in processes of their own
      expect(execFileSync('cat', [source.readPath], { encoding: 'utf8' })).toBe('the checked image');
    } finally {
      await source.close();
    }
    expect(() => readFileSync(source.readPath)).toThrow();
  });

  it('refuses files of the data directory by any path: direct, "..", a symlinked directory, a hard link', async () => {
    expect(await code(join(dataDir, 'streamer.db'))).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
    expect(await code(join(dataDir, 'volumes', '..', 'streamer.db'))).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
    expect(await code(join(root, 'data-link', 'volumes', 'layer-data'))).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
    linkSync(join(dataDir, 'volumes', 'layer-data'), join(root, 'linked.raw'));
    expect(await code(join(root, 'linked.raw'))).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
  });

  it('refuses them too when the data directory is given through a symlink or relative to the working directory', async () => {
    expect(await code(join(dataDir, 'streamer.db'), { dataDir: join(root, 'data-link') })).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
    expect(await code(join(dataDir, 'streamer.db'), { dataDir: relative(process.cwd(), dataDir) })).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
    expect(await code(join(root, 'image.raw'), { dataDir: join(root, 'data-link') })).toBe('allowed');
  });

  it('refuses what is not an absolute path to a regular file as a bad path', async () => {
    expect(await code('image.raw')).toBe('GOLDEN_IMAGE_IMPORT_BAD_PATH');
    expect(await code(join(root, 'missing.raw'))).toBe('GOLDEN_IMAGE_IMPORT_BAD_PATH');
    expect(await code(dataDir)).toBe('GOLDEN_IMAGE_IMPORT_BAD_PATH'); // a directory, even this one
    execFileSync('mkfifo', [join(root, 'fifo.raw')]);
    expect(await code(join(root, 'fifo.raw'))).toBe('GOLDEN_IMAGE_IMPORT_BAD_PATH'); // refused without blocking on it
  });

  it('refuses a file reached through a bind mount of a directory of the data directory (in a private mount namespace)', () => {
    requireTool('unshare', 'util-linux');
    // the mount exists only in a child's namespace (unshare -Urm: no root needed), so the check runs there,
    // from this module and core/errors.ts transpiled to JavaScript
    const js = join(root, 'js');
    for (const [from, to] of [['import-path.ts', 'artifacts/import-path.js'], ['../core/errors.ts', 'core/errors.js']] as const) {
      mkdirSync(join(js, to, '..'), { recursive: true });
      const source = readFileSync(join(import.meta.dirname, from), 'utf8');
      writeFileSync(join(js, to), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    }
    mkdirSync(join(root, 'mnt'));
    writeFileSync(join(js, 'child.mjs'), [
      `import { checkImportPath } from './artifacts/import-path.js';`,
      `const codeOf = (p) => checkImportPath(p, { dataDir: ${JSON.stringify(dataDir)} }).then(() => 'allowed', (e) => e.code + ' ' + e.message);`,
      `console.log(JSON.stringify([await codeOf(${JSON.stringify(join(root, 'mnt', 'layer-data'))}), await codeOf(${JSON.stringify(join(root, 'image.raw'))})]));`,
    ].join('\n'));
    const script = 'mount --bind "$1" "$2" && exec "$3" "$4"';
    const args = ['-Urm', 'sh', '-c', script, 'sh', join(dataDir, 'volumes'), join(root, 'mnt'), process.execPath, join(js, 'child.mjs')];
    const [bound, outside] = JSON.parse(execFileSync('unshare', args, { encoding: 'utf8' })) as [string, string];
    expect(bound).toContain('GOLDEN_IMAGE_PATH_FORBIDDEN');
    expect(bound).toContain('(it is the same file as one there: a hard link, or reached through a bind mount)');
    expect(outside).toBe('allowed');
  });
});
