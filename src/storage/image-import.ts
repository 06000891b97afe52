// Import of a disk image into a new (frozen) layer: the format is detected from content; zip (HPE's
// format: one raw disk inside) and qemu formats are spooled to a work directory first, raw and gz are
// streamed. A file on this machine is read without its holes. Nothing outside `work` is touched.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { AppError, invalid, notFound } from '../core/errors.js';
import { DETECT_BYTES, detectFormat, QEMU_FORMATS, type ImageFormat } from './image-format.js';
import { adoptLayerData, writeLayer } from './import-layer.js';
import { closeFd, fstatFd, openFd } from './layer-files.js';
import { qemuConvert } from './qemu-convert.js';
import { fileExtents, pieceLength, readPieces, type Piece } from './sparse-file.js';

export interface ImportOptions {
  signal?: AbortSignal;
  /** Size of the source in bytes when known (an upload's Content-Length): what `fraction` is measured against. */
  sourceBytes?: number;
  /**
   * Called as the import advances, with the bytes of the source read so far (before decompression) and
   * the share of the whole import done, 0 to 1 (0 while the source's size is unknown). For zip and qemu
   * formats reading the source is the first half, unpacking or converting (qemu-img) the second.
   */
  onProgress?: (bytesRead: number, fraction: number) => void;
}

export interface ImportedImage {
  imageId: string;
  /** Size of the raw disk. */
  sizeBytes: number;
  /** sha256 (hex) of the bytes as uploaded. */
  sha256: string;
  /** The uploaded file's format (the outer one: a zip of a raw disk is `zip`). */
  format: ImageFormat;
}

interface Work extends ImportOptions {
  /** The source is exactly this file: it is read from here, without its holes, and zip and qemu formats in place. */
  sourcePath?: string;
  work: string;
  layerDir: string;
  clusterBytes: number;
}

/** The part of the whole import's progress (0 to 1) that one step covers. */
interface Span {
  from: number;
  to: number;
}

/** The import's progress as reported to `onProgress`; the share done never goes back. */
class Progress {
  private bytesRead = 0;
  private fraction = 0;

  constructor(private readonly report: ImportOptions['onProgress']) {}

  read(bytes: number): void {
    this.bytesRead += bytes;
    this.report?.(this.bytesRead, this.fraction);
  }

  /** Reports `done` (0 to 1) of `span`. */
  reach(span: Span, done: number): void {
    const fraction = span.from + (span.to - span.from) * Math.min(1, Math.max(0, done));
    if (fraction <= this.fraction) return;
    this.fraction = fraction;
    this.report?.(this.bytesRead, fraction);
  }
}

/** A read stream on a file to import, once it is open; a missing file is AppError not_found. */
export async function openSourceFile(path: string): Promise<Readable> {
  const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    source.once('open', () => resolve());
    source.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? notFound('STORAGE_FILE_NOT_FOUND', `Cannot import "${path}": no such file`) : invalid('STORAGE_IMPORT_UNREADABLE', `Cannot import "${path}": ${error.message}`, { cause: error })),
    );
  });
  return source;
}

const CHUNK = 1024 * 1024;

/**
 * Reads the source into `work.layerDir` as a complete layer (meta.json, data, map, synced). With
 * `work.sourcePath` the file there is read instead of `source` (which is closed): its holes are hashed as
 * zeroes but neither read nor written.
 */
export async function importImage(source: Readable, work: Work): Promise<Omit<ImportedImage, 'imageId'>> {
  const hash = createHash('sha256');
  const progress = new Progress(work.onProgress);
  const abort = (): void => void source.destroy(work.signal?.reason instanceof Error ? work.signal.reason : new Error('aborted'));
  work.signal?.addEventListener('abort', abort, { once: true });
  let fd: number | undefined;
  try {
    work.signal?.throwIfAborted();
    let pieces: AsyncIterable<Piece> = source as AsyncIterable<Buffer>;
    let sourceBytes = work.sourceBytes;
    if (work.sourcePath !== undefined) {
      source.destroy();
      fd = await openFd(work.sourcePath, 'r');
      sourceBytes = (await fstatFd(fd)).size;
      const extents = await fileExtents(work.sourcePath, sourceBytes, work.signal);
      pieces = readPieces(fd, extents, { chunkBytes: CHUNK, ...(work.signal === undefined ? {} : { signal: work.signal }) });
    }
    const { format, sizeBytes } = await importAny(hashed(pieces, hash, progress, work.signal), work, { depth: 0, span: { from: 0, to: 1 }, sourceBytes, progress });
    return { sizeBytes, sha256: hash.digest('hex'), format };
  } catch (error) {
    if (work.signal?.aborted === true) throw new AppError('unavailable', 'STORAGE_IMPORT_CANCELLED', 'Cannot import image: the import was cancelled', { cause: error });
    throw error;
  } finally {
    work.signal?.removeEventListener('abort', abort);
    if (fd !== undefined) await closeFd(fd);
  }
}

/** The pieces unchanged, hashed on the way; a zero run is hashed from one buffer of zeroes. */
async function* hashed(source: AsyncIterable<Piece>, hash: Hash, progress: Progress, signal?: AbortSignal): AsyncGenerator<Piece> {
  const zeroes = Buffer.alloc(CHUNK);
  for await (const piece of source) {
    if (Buffer.isBuffer(piece)) {
      hash.update(piece);
    } else {
      for (let left = piece.zeroBytes; left > 0; left -= CHUNK) hash.update(left >= CHUNK ? zeroes : zeroes.subarray(0, left));
      // nothing was awaited for this run: let the event loop serve others before the next one
      await nextTurn();
      signal?.throwIfAborted();
    }
    progress.read(pieceLength(piece));
    yield piece;
  }
}

/** The pieces as bytes, zero runs as buffers of zeroes (for gunzip and spooling, which need bytes). */
async function* bytesOf(source: AsyncIterable<Piece>): AsyncGenerator<Buffer> {
  for await (const piece of source) {
    if (Buffer.isBuffer(piece)) yield piece;
    else for (let left = piece.zeroBytes; left > 0; left -= CHUNK) yield Buffer.alloc(Math.min(CHUNK, left));
  }
}

/** The pieces unchanged; `progress` moves through `span` as they pass, by `totalBytes` when known. */
async function* counted(source: AsyncIterable<Piece>, progress: Progress, span: Span, totalBytes: number | undefined): AsyncGenerator<Piece> {
  let n = 0;
  for await (const piece of source) {
    n += pieceLength(piece);
    if (totalBytes !== undefined && totalBytes > 0) progress.reach(span, n / totalBytes);
    yield piece;
  }
}

interface Level {
  /** 0 for the source; 1 inside a zip or gz; 2 a qemu image inside a gz inside a zip. */
  depth: number;
  /** The part of the import's progress this level covers. */
  span: Span;
  /** Size of this level's input when known. */
  sourceBytes: number | undefined;
  progress: Progress;
}

async function importAny(source: AsyncIterable<Piece>, work: Work, level: Level): Promise<{ format: ImageFormat; sizeBytes: number }> {
  const { depth, span, progress } = level;
  const { head, rest } = await peek(source, DETECT_BYTES);
  const format = detectFormat(head);
  if (depth > 1 && format !== 'raw' && !QEMU_FORMATS.has(format)) throw invalid('STORAGE_IMPORT_NESTED', `Cannot import image: a ${format} inside a container nested too deep`);
  const target = { layerDir: work.layerDir, clusterBytes: work.clusterBytes, ...(work.signal === undefined ? {} : { signal: work.signal }) };
  if (format === 'raw') return { format, sizeBytes: await writeLayer(counted(rest, progress, span, level.sourceBytes), target) };
  if (format === 'gz') {
    // the compressed bytes read measure the progress of the whole span; what is inside reports nothing
    const gunzip = createGunzip();
    const inner = importAny(gunzip, work, { depth: depth + 1, span: { from: span.to, to: span.to }, sourceBytes: undefined, progress });
    await Promise.all([pipeline(Readable.from(bytesOf(counted(rest, progress, span, level.sourceBytes))), gunzip), inner]).catch((error: unknown) => {
      if (error instanceof AppError) throw error;
      throw invalid('STORAGE_IMPORT_BAD_GZIP', `Cannot import image: the gzip data is damaged (${(error as Error).message})`, { cause: error });
    });
    return { format, sizeBytes: (await inner).sizeBytes };
  }
  // zip and qemu formats: reading is the first half of the span, what follows the second
  const middle = (span.from + span.to) / 2;
  const reading = counted(rest, progress, { from: span.from, to: middle }, level.sourceBytes);
  const after = { from: middle, to: span.to };
  let spooled = join(work.work, `upload-${depth}.${format}`);
  if (depth === 0 && work.sourcePath !== undefined) {
    spooled = work.sourcePath;
    await pipeline(Readable.from(reading), new Writable({ objectMode: true, write: (_piece, _encoding, done) => done() })); // read once for the hash
  } else {
    await pipeline(Readable.from(bytesOf(reading)), createWriteStream(spooled));
  }
  if (format === 'zip') {
    const entry = await onlyZipEntry(spooled);
    return { format, sizeBytes: (await importAny(entry.stream, work, { depth: depth + 1, span: after, sourceBytes: entry.sizeBytes, progress })).sizeBytes };
  }
  const sizeBytes = await adoptLayerData(
    target,
    (dataPath) => qemuConvert(spooled, format, dataPath, { ...(work.signal === undefined ? {} : { signal: work.signal }), onPercent: (percent) => progress.reach(after, percent / 100) }).then(() => undefined),
    (path, size) => fileExtents(path, size, work.signal),
  );
  return { format, sizeBytes };
}

/** The first `n` bytes of a stream of pieces (fewer at its end; zero runs count as zeroes) and the whole stream again. */
async function peek(source: AsyncIterable<Piece>, n: number): Promise<{ head: Buffer; rest: AsyncIterable<Piece> }> {
  const it = source[Symbol.asyncIterator]();
  const pieces: Piece[] = [];
  const bytes: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    pieces.push(r.value);
    const piece = Buffer.isBuffer(r.value) ? r.value : Buffer.alloc(Math.min(r.value.zeroBytes, n - length));
    bytes.push(piece);
    length += piece.length;
  }
  const head = Buffer.concat(bytes);
  const rest = (async function* () {
    yield* pieces;
    while (!done) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  })();
  return { head, rest };
}

/** The one file inside HPE's zip, as a stream, and its size; anything but exactly one file is refused. */
async function onlyZipEntry(path: string): Promise<{ stream: Readable; sizeBytes: number }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, z) => (error ? reject(invalid('STORAGE_IMPORT_BAD_ZIP', `Cannot import image: the zip is damaged (${error.message})`, { cause: error })) : resolve(z))),
  );
  const files: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) files.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) => reject(invalid('STORAGE_IMPORT_BAD_ZIP', `Cannot import image: the zip is damaged (${error.message})`, { cause: error })));
    zip.readEntry();
  });
  const entry = files[0];
  if (files.length !== 1 || entry === undefined) {
    zip.close();
    throw invalid('STORAGE_IMPORT_BAD_ZIP', `Cannot import image: the zip holds ${files.length} files, not one disk image`, { details: files.slice(0, 5).map((f) => `"${f.fileName}"`).join(', ') });
  }
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => {
      if (error) {
        zip.close();
        reject(invalid('STORAGE_IMPORT_BAD_ZIP', `Cannot import image: cannot read "${entry.fileName}" in the zip (${error.message})`, { cause: error }));
        return;
      }
      stream.once('close', () => zip.close());
      resolve({ stream, sizeBytes: entry.uncompressedSize });
    }),
  );
}

