// A Disk over a real image file, for tests and benchmarks of the ext engine.
import { open, type FileHandle } from 'node:fs/promises';
import type { Disk } from '../../src/storage/disk.js';

export class FileDisk implements Disk {
  private constructor(
    private readonly handle: FileHandle,
    readonly sizeBytes: number,
    readonly readOnly: boolean,
  ) {}

  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<FileDisk> {
    const handle = await open(path, options.readOnly ? 'r' : 'r+');
    const { size } = await handle.stat();
    return new FileDisk(handle, size, options.readOnly ?? false);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (offset + length > this.sizeBytes) throw new RangeError(`read past the end (${offset}+${length})`);
    const buf = Buffer.alloc(length);
    await this.handle.read(buf, 0, length, offset);
    return buf;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (this.readOnly) throw new Error('read-only disk');
    await this.handle.write(data, 0, data.length, offset);
  }

  async flush(): Promise<void> {
    await this.handle.sync();
  }

  async discard(): Promise<void> {}

  async zero(offset: number, length: number): Promise<void> {
    await this.write(offset, new Uint8Array(length));
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
