import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    await checkImportPath(path, options);
    return 'allowed';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('checkImportPath', () => {
  it('allows files beside the data directory, in its parent and in a directory whose name starts like it', async () => {
    expect(await code(join(root, 'image.raw'))).toBe('allowed');
    expect(await code(join(root, 'data-other', 'image.raw'))).toBe('allowed');
    expect(await checkImportPath(join(root, 'data-other', '..', 'image.raw'), { dataDir })).toEqual({ path: join(root, 'image.raw'), realPath: join(root, 'image.raw'), sizeBytes: 8 });
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
  });
});
