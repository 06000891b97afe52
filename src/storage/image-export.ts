// Export of a disk as HPE's download format: a zip holding one raw disk, streamed (yazl writes ZIP64 where
// the size needs it). The disk is read in 4 MiB pieces and closed when the stream ends or is destroyed.
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Disk } from './disk.js';

const PIECE = 4 * 1024 * 1024;

/** The disk's bytes as a stream; closes the disk at the end. */
export function diskStream(disk: Disk): Readable {
  return Readable.from(
    (async function* () {
      try {
        for (let at = 0; at < disk.sizeBytes; at += PIECE) yield await disk.read(at, Math.min(PIECE, disk.sizeBytes - at));
      } finally {
        await disk.close();
      }
    })(),
    { objectMode: false },
  );
}

/** A zip with one entry `name` holding the disk's raw bytes (deflated at level 1: holes shrink, CPU stays low). */
export function exportZip(disk: Disk, name: string): Readable {
  const zip = new yazl.ZipFile();
  zip.addReadStream(diskStream(disk), name, { compressionLevel: 1, size: disk.sizeBytes });
  zip.end();
  return zip.outputStream as Readable;
}
