// A window onto part of a Disk (a partition): offsets are relative to its start, and nothing reaches
// outside it. Closing the slice leaves the underlying Disk open.
import type { Disk, DiskExtent } from '../storage/disk.js';

export class SliceDisk implements Disk {
  constructor(
    private readonly inner: Disk,
    private readonly start: number,
    readonly sizeBytes: number,
    readonly readOnly: boolean = inner.readOnly,
  ) {}

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.sizeBytes) {
      throw new RangeError(`Range ${offset}+${length} is outside the partition of ${this.sizeBytes} bytes`);
    }
  }

  read(offset: number, length: number): Promise<Buffer> {
    this.check(offset, length);
    return this.inner.read(this.start + offset, length);
  }

  write(offset: number, data: Uint8Array, options?: { fua?: boolean }): Promise<void> {
    this.check(offset, data.length);
    return this.inner.write(this.start + offset, data, options);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  discard(offset: number, length: number): Promise<void> {
    this.check(offset, length);
    return this.inner.discard(this.start + offset, length);
  }

  zero(offset: number, length: number): Promise<void> {
    this.check(offset, length);
    return this.inner.zero(this.start + offset, length);
  }

  async extents(offset: number, length: number): Promise<DiskExtent[]> {
    this.check(offset, length);
    if (this.inner.extents === undefined) return [{ offset, length, hole: false, zero: false }];
    return (await this.inner.extents(this.start + offset, length)).map((e) => ({ ...e, offset: e.offset - this.start }));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
