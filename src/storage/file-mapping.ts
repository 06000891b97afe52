// Views of a file's bytes straight from the page cache, for replies that go to a socket: the kernel copies
// the pages once, into the socket, instead of twice (pread into a buffer, then the buffer into the socket).
// Node has no mmap, so a small N-API addon (native/file-mapping.c, built by `npm ci`) maps the file.
//
// A view is given only when every page of its range is in the page cache at that moment (mincore): a page
// that is not would be read from disk by a page fault on the thread that touches it, the event loop. The
// caller then reads with pread as before (which also brings the pages in).
import { createRequire } from 'node:module';

interface NativeFileMapping {
  map(fd: number, offset: number, length: number): ArrayBuffer;
  resident(mapping: ArrayBuffer, at: number, length: number): boolean;
  unmap(mapping: ArrayBuffer): void;
}

/** Files are mapped in pieces of this size, each when first read (a 1 TiB sparse image maps what it serves). */
const SEGMENT_BYTES = 1024 * 1024 * 1024;

const ADDON_PATHS = ['../../build/Release/file_mapping.node', '../../../build/Release/file_mapping.node'];

function loadNative(): { native: NativeFileMapping } | { error: string } {
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const path of ADDON_PATHS) {
    try {
      return { native: require(path) as NativeFileMapping };
    } catch (error) {
      errors.push((error as Error).message.split('\n')[0] as string);
    }
  }
  return { error: `the addon build/Release/file_mapping.node did not load (${errors.join('; ')}); run "npm rebuild" (needs python3, make and g++)` };
}

const loaded = loadNative();

/**
 * Whether page-cache views are available here; when not, `reason` says why (Disks then copy every read).
 * Tests require them: a build without the addon serves correct but slower reads.
 */
export const fileMappingSupport: { available: boolean; reason?: string } =
  'native' in loaded ? { available: true } : { available: false, reason: loaded.error };

/**
 * The read-only mapping of one open file, of its first `sizeBytes` bytes. The file must not shrink below
 * that while mapped (its store owns it): a view of a page past the end faults. Views go to the kernel only
 * (socket writes), which fails the write with EFAULT rather than the process; `close()` unmaps at once, so a
 * view still queued on a socket then fails that write.
 */
export class FileMapping {
  private readonly segments: (ArrayBuffer | null | undefined)[] = [];
  private closed = false;

  constructor(
    private readonly fd: number,
    readonly sizeBytes: number,
  ) {}

  /**
   * Appends views of `[offset, offset + length)` (in the file) to `out` and returns true when every page is
   * cached now; returns false, with `out` as it was, when not (or when the file cannot be mapped).
   */
  viewsInto(out: Buffer[], offset: number, length: number): boolean {
    if (length === 0) return true;
    if ('error' in loaded || this.closed || offset + length > this.sizeBytes) return false;
    const { native } = loaded;
    const mark = out.length;
    for (let pos = offset, end = offset + length; pos < end; ) {
      const index = Math.floor(pos / SEGMENT_BYTES);
      const segment = this.segment(native, index);
      const at = pos - index * SEGMENT_BYTES;
      const n = Math.min(end - pos, SEGMENT_BYTES - at);
      if (segment === null || !native.resident(segment, at, n)) {
        out.length = mark;
        return false;
      }
      out.push(Buffer.from(segment, at, n));
      pos += n;
    }
    return true;
  }

  /** Unmaps now (later views are refused); the pages go even while views of them exist. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if ('error' in loaded) return;
    for (const segment of this.segments) if (segment) loaded.native.unmap(segment);
    this.segments.length = 0;
  }

  /** Segment `index`, mapped on first use; null when the file cannot be mapped (never tried again). */
  private segment(native: NativeFileMapping, index: number): ArrayBuffer | null {
    let segment = this.segments[index];
    if (segment === undefined) {
      const start = index * SEGMENT_BYTES;
      try {
        segment = native.map(this.fd, start, Math.min(SEGMENT_BYTES, this.sizeBytes - start));
      } catch {
        segment = null;
      }
      this.segments[index] = segment;
    }
    return segment;
  }
}
