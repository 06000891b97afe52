// A child process for the crash tests: works on a volume store and reports on stdout what it got
// acknowledged, until the test kills it with SIGKILL. Run from the dist build:
//   node crash-child.js writes DIR VOLUME_ID  |  import DIR  |  lifecycle DIR IMAGE_ID
import { Readable } from 'node:stream';
import { openVolumeStore } from '../../src/storage/index.js';
import { REGION, WRITE, writeByte, writeOffset } from './crash-layout.js';


async function writes(dir: string, volumeId: string): Promise<void> {
  const store = await openVolumeStore(dir);
  const disk = await store.openDisk(volumeId);
  const regions = Math.floor(disk.sizeBytes / REGION);
  process.stdout.write('READY\n');
  for (let i = 0; i < regions; i++) {
    const data = Buffer.alloc(WRITE, writeByte(i));
    if (i % 3 === 2) {
      // never acknowledged: may or may not survive, but must not damage anything else
      await disk.write(writeOffset(i), data);
      continue;
    }
    if (i % 3 === 0) await disk.write(writeOffset(i), data, { fua: true });
    else {
      await disk.write(writeOffset(i), data);
      await disk.flush();
    }
    process.stdout.write(`ACK ${i}\n`);
  }
  process.stdout.write('DONE\n');
  await new Promise(() => undefined);
}

async function slowImport(dir: string): Promise<void> {
  const store = await openVolumeStore(dir);
  const source = Readable.from(
    (async function* () {
      for (let i = 0; ; i++) {
        yield Buffer.alloc(1024 * 1024, (i % 200) + 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })(),
  );
  await store.importImage(source, { onProgress: (n) => process.stdout.write(`PROGRESS ${n}\n`) });
}

/** Clones, snapshots, writes, freezes and deletes in a loop, printing each id once its operation returned. */
async function lifecycle(dir: string, imageId: string): Promise<void> {
  const store = await openVolumeStore(dir, { maxChainDepth: 3 });
  for (let i = 0; ; i++) {
    const volumeId = await store.cloneVolume(imageId);
    process.stdout.write(`VOLUME ${volumeId}\n`);
    const disk = await store.openDisk(volumeId);
    await disk.write(i * 512, Buffer.alloc(512, (i % 250) + 1), { fua: true });
    const snapshot = await store.cloneOfVolume(volumeId);
    process.stdout.write(`VOLUME ${snapshot}\n`);
    await disk.close();
    const { imageId: captured } = await store.freeze(snapshot);
    process.stdout.write(`IMAGE ${captured}\nDELETED ${snapshot}\n`);
    if (i % 2 === 0) {
      await store.deleteVolume(volumeId);
      process.stdout.write(`DELETED ${volumeId}\n`);
    }
  }
}

const [mode, dir, id] = process.argv.slice(2);
if (mode === 'writes' && dir !== undefined && id !== undefined) await writes(dir, id);
else if (mode === 'import' && dir !== undefined) await slowImport(dir);
else if (mode === 'lifecycle' && dir !== undefined && id !== undefined) await lifecycle(dir, id);
else {
  process.stderr.write('usage: crash-child writes DIR VOLUME_ID | import DIR\n');
  process.exit(2);
}
