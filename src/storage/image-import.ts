// Import of a disk image from a stream into a new (frozen) layer: the format is detected from content;
// zip (HPE's format: one raw disk inside) and qemu formats are spooled to a work directory first, raw and
// gz are streamed. All-zero clusters are left as holes. Nothing outside `work` is touched.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, ftruncate } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { AppError, invalid, notFound } from '../core/errors.js';
import { ClusterMap, DATA } from './cluster-map.js';
import { fdatasyncFd, pwriteFully } from './file-io.js';
import { DETECT_BYTES, detectFormat, QEMU_FORMATS, type ImageFormat } from './image-format.js';
import { closeFd, openFd, syncDir, writeJsonAtomic } from './layer-files.js';
import type { LayerMeta } from './cow-layer.js';

export interface ImportOptions {
  signal?: AbortSignal;
  /** Called as the source is read, with the bytes read so far (of the uploaded file, before decompression). */
  onProgress?: (bytesRead: number) => void;
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
  /** The source is exactly this file: zip and qemu formats are read from it instead of a spooled copy. */
  sourcePath?: string;
  work: string;
  layerDir: string;
  clusterBytes: number;
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

/** Reads the source into `work.layerDir` as a complete layer (meta.json, data, map, synced). */
export async function importImage(source: Readable, work: Work): Promise<Omit<ImportedImage, 'imageId'>> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  const abort = (): void => void source.destroy(work.signal?.reason instanceof Error ? work.signal.reason : new Error('aborted'));
  work.signal?.addEventListener('abort', abort, { once: true });
  try {
    work.signal?.throwIfAborted();
    const counted = (async function* () {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytesRead += chunk.length;
        work.onProgress?.(bytesRead);
        yield chunk;
      }
    })();
    const { format, sizeBytes } = await importAny(counted, work, 0);
    return { sizeBytes, sha256: hash.digest('hex'), format };
  } catch (error) {
    if (work.signal?.aborted === true) throw new AppError('unavailable', 'STORAGE_IMPORT_CANCELLED', 'Cannot import image: the import was cancelled', { cause: error });
    throw error;
  } finally {
    work.signal?.removeEventListener('abort', abort);
  }
}

async function importAny(source: AsyncIterable<Buffer>, work: Work, depth: number): Promise<{ format: ImageFormat; sizeBytes: number }> {
  const { head, rest } = await peek(source, DETECT_BYTES);
  const format = detectFormat(head);
  if (depth > 1 && format !== 'raw' && !QEMU_FORMATS.has(format)) throw invalid('STORAGE_IMPORT_NESTED', `Cannot import image: a ${format} inside a container nested too deep`);
  if (format === 'raw') return { format, sizeBytes: await writeLayer(rest, work) };
  if (format === 'gz') {
    const gunzip = createGunzip();
    const inner = importAny(gunzip, work, depth + 1);
    await Promise.all([pipeline(Readable.from(rest), gunzip), inner]).catch((error: unknown) => {
      if (error instanceof AppError) throw error;
      throw invalid('STORAGE_IMPORT_BAD_GZIP', `Cannot import image: the gzip data is damaged (${(error as Error).message})`, { cause: error });
    });
    return { format, sizeBytes: (await inner).sizeBytes };
  }
  let spooled = join(work.work, `upload-${depth}.${format}`);
  if (depth === 0 && work.sourcePath !== undefined) {
    spooled = work.sourcePath;
    await pipeline(Readable.from(rest), new Writable({ write: (_chunk, _encoding, done) => done() })); // read once for the hash
  } else {
    await pipeline(Readable.from(rest), createWriteStream(spooled));
  }
  if (format === 'zip') return { format, sizeBytes: (await importAny(await onlyZipEntry(spooled), work, depth + 1)).sizeBytes };
  const raw = join(work.work, `converted-${depth}.raw`);
  await qemuConvert(spooled, format, raw, work.signal);
  return { format, sizeBytes: await writeLayer(createReadStream(raw, { highWaterMark: 1024 * 1024 }), work) };
}

/** The first `n` bytes of a stream (fewer at its end) and the whole stream again. */
async function peek(source: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    chunks.push(r.value);
    length += r.value.length;
  }
  const head = Buffer.concat(chunks);
  const rest = (async function* () {
    if (head.length > 0) yield head;
    while (!done) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  })();
  return { head, rest };
}

/** The one file inside HPE's zip, as a stream; anything but exactly one file is refused. */
async function onlyZipEntry(path: string): Promise<Readable> {
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
      resolve(stream);
    }),
  );
}

function run(file: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024, ...(signal === undefined ? {} : { signal }) }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(Object.assign(error as Error, { stderr }));
    });
  });
}

/** Converts a qemu-readable image to raw; refuses images that name other files (backing files, extents). */
async function qemuConvert(path: string, format: ImageFormat, out: string, signal?: AbortSignal): Promise<void> {
  let info: string;
  try {
    info = await run('qemu-img', ['info', '--output=json', '-f', format, path], signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('unavailable', 'STORAGE_QEMU_IMG_MISSING', `Cannot import a ${format} image: qemu-img is not installed`, { recommendedActions: ['Install the Debian package qemu-utils (apt-get install qemu-utils), or upload a raw, gz or zip image'] });
    }
    throw invalid('STORAGE_IMPORT_BAD_IMAGE', `Cannot import image: qemu-img cannot read it as ${format} (${String((error as { stderr?: string }).stderr ?? '').trim()})`, { cause: error });
  }
  const parsed = JSON.parse(info) as { 'backing-filename'?: string; 'format-specific'?: { data?: { extents?: { filename?: string }[] } } };
  const extents = parsed['format-specific']?.data?.extents ?? [];
  if (parsed['backing-filename'] !== undefined || extents.some((e) => e.filename !== undefined && e.filename !== path)) {
    throw invalid('STORAGE_IMPORT_EXTERNAL_FILES', `Cannot import image: the ${format} image refers to other files`, { recommendedActions: ['Convert it to a standalone image first (qemu-img convert)'] });
  }
  // qemu-img convert reads a truncated image's missing tables as zeroes and succeeds: check it first.
  // Exit 0 is clean, 3 only leaked clusters (harmless to a reader), 63 a format it cannot check.
  try {
    await run('qemu-img', ['check', '-f', format, path], signal);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 3 && code !== 63) {
      const detail = String((error as { stderr?: string; stdout?: string }).stderr || (error as { stdout?: string }).stdout || '').trim().split('\n').slice(0, 3).join('; ');
      throw invalid('STORAGE_IMPORT_BAD_IMAGE', `Cannot import image: the ${format} image is damaged (qemu-img check: ${detail})`, {
        cause: error,
        recommendedActions: ['Upload an intact copy of the image; "qemu-img check" on it must report no errors'],
      });
    }
  }
  try {
    await run('qemu-img', ['convert', '-f', format, '-O', 'raw', path, out], signal);
  } catch (error) {
    throw invalid('STORAGE_IMPORT_BAD_IMAGE', `Cannot import image: qemu-img cannot convert it (${String((error as { stderr?: string }).stderr ?? '').trim()})`, { cause: error });
  }
}

const CHUNK = 1024 * 1024;

/** Writes a raw disk stream as a bottom layer into `work.layerDir`; returns the disk's size. */
async function writeLayer(source: AsyncIterable<Buffer>, work: Work): Promise<number> {
  const cb = work.clusterBytes;
  await mkdir(work.layerDir);
  const dataFd = await openFd(join(work.layerDir, 'data'), 'wx');
  const runs: [number, number][] = [];
  let position = 0;
  try {
    const zeroes = Buffer.alloc(cb);
    const pending = Buffer.allocUnsafe(CHUNK);
    let fill = 0;
    const flushChunk = async (length: number): Promise<void> => {
      for (let a = 0; a < length; ) {
        const isZero = (at: number): boolean => pending.subarray(at, Math.min(at + cb, length)).equals(zeroes.subarray(0, Math.min(cb, length - at)));
        if (isZero(a)) {
          a += cb;
          continue;
        }
        let b = a + cb;
        while (b < length && !isZero(b)) b += cb;
        b = Math.min(b, length);
        await pwriteFully(dataFd, pending.subarray(a, b), position + a);
        const from = (position + a) / cb;
        const to = Math.ceil((position + b) / cb);
        const last = runs[runs.length - 1];
        if (last !== undefined && last[1] === from) last[1] = to;
        else runs.push([from, to]);
        a = b;
      }
      position += length;
    };
    for await (const chunk of source) {
      work.signal?.throwIfAborted();
      for (let at = 0; at < chunk.length; ) {
        const n = Math.min(CHUNK - fill, chunk.length - at);
        chunk.copy(pending, fill, at, at + n);
        fill += n;
        at += n;
        if (fill === CHUNK) {
          await flushChunk(fill);
          fill = 0;
        }
      }
    }
    await flushChunk(fill);
    if (position === 0) throw invalid('STORAGE_IMPORT_EMPTY', 'Cannot import image: the disk image is empty');
    await new Promise<void>((resolve, reject) => ftruncate(dataFd, position, (e) => (e ? reject(e) : resolve())));
    await fdatasyncFd(dataFd);
  } finally {
    await closeFd(dataFd);
  }
  const map = new ClusterMap(Math.ceil(position / cb));
  for (const [from, to] of runs) map.fill(from, to, DATA);
  await writeFile(join(work.layerDir, 'map'), '');
  const mapFd = await openFd(join(work.layerDir, 'map'), 'r+');
  try {
    await map.writeAll(mapFd);
  } finally {
    await closeFd(mapFd);
  }
  const meta: LayerMeta = { version: 1, sizeBytes: position, clusterBytes: cb, base: null };
  await writeJsonAtomic(join(work.layerDir, 'meta.json'), meta);
  await syncDir(work.layerDir);
  return position;
}
