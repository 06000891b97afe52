// Releasing file space from Node, which has no fallocate(2): util-linux's `fallocate --punch-hole` does
// it for us (one process per call, so callers batch ranges). Not for small ranges on a hot path.
import { execFile } from 'node:child_process';

/**
 * Deallocates `[offset, offset + length)` of the file at `path` (the file keeps its size; the range reads
 * as zeroes). Resolves false when punching is unavailable (no `fallocate` tool, or a filesystem without
 * hole support); the caller then writes zeroes instead.
 */
export function punchHole(path: string, offset: number, length: number): Promise<boolean> {
  if (length <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    execFile('fallocate', ['--punch-hole', '--offset', String(offset), '--length', String(length), path], (error) => {
      resolve(error === null);
    });
  });
}
