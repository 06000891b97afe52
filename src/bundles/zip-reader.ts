// Reading a bundle zip defensively: entry names and types checked from the central directory before any
// data is read, and every entry inflated under size and compression-ratio limits measured while inflating.
import { Transform, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import { invalid, type AppError } from '../core/errors.js';

export interface ZipLimits {
  /** Most entries a bundle may hold. */
  maxEntries: number;
  /** Largest inflated size of one entry, by kind: JSON/manifest/checksum text, and golden image payloads. */
  maxTextBytes: number;
  maxPayloadBytes: number;
  /** Largest inflated size of all entries together. */
  maxTotalBytes: number;
  /** Largest inflated/compressed ratio, checked once an entry passes `ratioSlackBytes`. */
  maxRatio: number;
  ratioSlackBytes: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 10_000,
  maxTextBytes: 16 * 1024 * 1024,
  maxPayloadBytes: 256 * 1024 ** 3,
  maxTotalBytes: 256 * 1024 ** 3,
  maxRatio: 200,
  ratioSlackBytes: 1024 * 1024,
};

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  /** As the header claims; only trusted after inflating (yauzl checks it, and so do the limits). */
  declaredSize: number;
  entry: yauzl.Entry;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MSDOS_DIRECTORY = 0x10;

function bad(bundle: string, cause: string, entry?: string): AppError {
  return invalid('BUNDLE_INVALID', `Cannot read bundle "${bundle}"${entry === undefined ? '' : ` at entry "${entry}"`}: ${cause}`, {
    recommendedActions: ['Check that the file is an artifact bundle exported by Image Streamer, and upload it again'],
    data: entry === undefined ? {} : { entry },
  });
}

/** Why `name` may not appear in a bundle, or undefined when it may (bundles are flat, §8.1). */
export function entryNameProblem(name: string): string | undefined {
  if (name === '') return 'the entry name is empty';
  if (name.includes('\\')) return 'the entry name contains a backslash';
  if (name.includes('\0')) return 'the entry name contains a NUL character';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'the entry name is an absolute path';
  if (name.split('/').includes('..')) return 'the entry name climbs out of the bundle ("..")';
  if (name.endsWith('/')) return 'the entry is a directory';
  if (name.includes('/')) return 'the entry is inside a folder (bundles are flat)';
  return undefined;
}

/** Why the entry's type (external attributes) is not a regular file, or undefined. */
function entryTypeProblem(entry: yauzl.Entry): string | undefined {
  const madeBy = entry.versionMadeBy >> 8;
  const attributes = entry.externalFileAttributes >>> 0;
  if ((attributes & MSDOS_DIRECTORY) !== 0) return 'the entry is a directory';
  if (madeBy === 3 || madeBy === 19) {
    const type = (attributes >>> 16) & S_IFMT;
    if (type === S_IFLNK) return 'the entry is a symbolic link';
    if (type === S_IFDIR) return 'the entry is a directory';
    if (type !== 0 && type !== S_IFREG) return 'the entry is not a regular file';
  }
  if (entry.isEncrypted()) return 'the entry is encrypted';
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return `the entry uses compression method ${entry.compressionMethod} (only stored and deflate are read)`;
  return undefined;
}

/** An open bundle zip whose central directory passed the checks. Close it with `close()`. */
export class BundleZip {
  private constructor(
    readonly label: string,
    private readonly zip: yauzl.ZipFile,
    readonly entries: ZipEntryInfo[],
    private readonly limits: ZipLimits,
  ) {}

  /**
   * Opens `path` and checks every central-directory entry: names (no `..`, absolute paths, backslashes,
   * folders), types (no directories or links), duplicates, count. `label` names the bundle in errors.
   */
  static async open(path: string, options: { label: string; limits?: ZipLimits }): Promise<BundleZip> {
    const limits = options.limits ?? defaultZipLimits;
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, opened) => {
        if (error !== null) reject(bad(options.label, `it is not a readable zip file (${error.message})`));
        else resolve(opened);
      });
    });
    try {
      if (zip.entryCount > limits.maxEntries) throw bad(options.label, `it has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
      const entries = await readCentralDirectory(zip, options.label);
      return new BundleZip(options.label, zip, entries, limits);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  /**
   * The inflated bytes of `info`, as a stream that fails with an AppError naming the entry when it passes
   * `maxBytes`, the ratio limit, or the bundle total (`budget` is shared across the entries of one read).
   */
  async open(info: ZipEntryInfo, options: { maxBytes: number; budget: { remainingBytes: number } }): Promise<Readable> {
    const raw = await new Promise<Readable>((resolve, reject) => {
      this.zip.openReadStream(info.entry, (error, stream) => {
        if (error !== null) reject(bad(this.label, error.message, info.name));
        else resolve(stream);
      });
    });
    const { label, limits } = this;
    let inflated = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        inflated += chunk.length;
        options.budget.remainingBytes -= chunk.length;
        if (inflated > options.maxBytes) return done(bad(label, `it inflates to more than ${options.maxBytes} bytes`, info.name));
        if (options.budget.remainingBytes < 0) return done(bad(label, `the bundle inflates to more than ${limits.maxTotalBytes} bytes in all`, info.name));
        if (inflated > limits.ratioSlackBytes && inflated > limits.maxRatio * Math.max(1, info.compressedSize)) {
          return done(bad(label, `it inflates more than ${limits.maxRatio} times its compressed size (a zip bomb?)`, info.name));
        }
        done(null, chunk);
      },
    });
    raw.on('error', (error: Error) => guard.destroy(error instanceof Error && 'kind' in error ? error : bad(label, error.message, info.name)));
    return raw.pipe(guard);
  }

  close(): void {
    this.zip.close();
  }

  get textLimit(): number {
    return this.limits.maxTextBytes;
  }

  get payloadLimit(): number {
    return this.limits.maxPayloadBytes;
  }

  newBudget(): { remainingBytes: number } {
    return { remainingBytes: this.limits.maxTotalBytes };
  }
}

async function readCentralDirectory(zip: yauzl.ZipFile, label: string): Promise<ZipEntryInfo[]> {
  const entries: ZipEntryInfo[] = [];
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
      const problem = entryNameProblem(name) ?? entryTypeProblem(entry);
      if (problem !== undefined) return reject(bad(label, problem, name));
      if (seen.has(name)) return reject(bad(label, 'the entry appears twice', name));
      seen.add(name);
      entries.push({ name, compressedSize: entry.compressedSize, declaredSize: entry.uncompressedSize, entry });
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) => reject(bad(label, `its directory is damaged (${error.message})`)));
    zip.readEntry();
  });
  return entries;
}

/** Reads a whole (small) entry into memory. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
