// Conversion of the images qemu-img reads (qcow2, vmdk, vhdx, vdi, vpc) to a raw file: images naming other
// files or damaged ones are refused first; `qemu-img convert -p` reports its progress, which is passed on.
import { execFile, spawn } from 'node:child_process';
import { AppError, invalid } from '../core/errors.js';
import type { ImageFormat } from './image-format.js';

function run(file: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024, ...(signal === undefined ? {} : { signal }) }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(Object.assign(error as Error, { stderr }));
    });
  });
}

/**
 * Reads the percentages `qemu-img convert -p` prints ("    (12.34/100%)" then a carriage return), from
 * output that arrives in chunks split anywhere.
 */
export class QemuProgressParser {
  private carry = '';

  /** The percentages completed by `chunk`, in order. */
  push(chunk: string): number[] {
    const text = this.carry + chunk;
    const cut = Math.max(text.lastIndexOf('\r'), text.lastIndexOf('\n'));
    this.carry = text.slice(cut + 1);
    const percents: number[] = [];
    for (const match of text.slice(0, cut + 1).matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)) percents.push(Number(match[1]));
    return percents;
  }
}

/** Runs `qemu-img convert -p`, calling `onPercent` as it goes; rejects with its stderr on failure. */
function convertWithProgress(args: string[], options: { signal?: AbortSignal; onPercent?: (percent: number) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-img', ['convert', '-p', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const parser = new QemuProgressParser();
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const percent of parser.push(chunk)) options.onPercent?.(percent);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`qemu-img convert exited with ${code ?? signal}`), { code, stderr }));
    });
  });
}

/**
 * Converts the `format` image at `path` to the raw file `out` (created by qemu-img, sparse: zero blocks
 * are not written), passing its progress (0 to 100) to `onPercent`. Refuses (AppError invalid) images that
 * refer to other files (backing files, extents) or that `qemu-img check` finds damaged; unavailable when
 * qemu-img is not installed. Returns the size of the raw disk.
 */
export async function qemuConvert(path: string, format: ImageFormat, out: string, options: { signal?: AbortSignal; onPercent?: (percent: number) => void } = {}): Promise<number> {
  const { signal } = options;
  let info: string;
  try {
    info = await run('qemu-img', ['info', '--output=json', '-f', format, path], signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('unavailable', 'STORAGE_QEMU_IMG_MISSING', `Cannot import a ${format} image: qemu-img is not installed`, { recommendedActions: ['Install the Debian package qemu-utils (apt-get install qemu-utils), or upload a raw, gz or zip image'] });
    }
    throw invalid('STORAGE_IMPORT_BAD_IMAGE', `Cannot import image: qemu-img cannot read it as ${format} (${String((error as { stderr?: string }).stderr ?? '').trim()})`, { cause: error });
  }
  const parsed = JSON.parse(info) as { 'virtual-size'?: number; 'backing-filename'?: string; 'format-specific'?: { data?: { extents?: { filename?: string }[] } } };
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
    await convertWithProgress(['-f', format, '-O', 'raw', path, out], options);
  } catch (error) {
    signal?.throwIfAborted();
    throw invalid('STORAGE_IMPORT_BAD_IMAGE', `Cannot import image: qemu-img cannot convert it (${String((error as { stderr?: string }).stderr ?? '').trim()})`, { cause: error });
  }
  return parsed['virtual-size'] ?? 0;
}
