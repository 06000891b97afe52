// Disk image formats told apart by content (magic numbers), never by file name.

export type ImageFormat = 'zip' | 'gz' | 'qcow2' | 'vmdk' | 'vhdx' | 'vdi' | 'vpc' | 'raw';

/** Formats read through `qemu-img convert`. */
export const QEMU_FORMATS: ReadonlySet<ImageFormat> = new Set(['qcow2', 'vmdk', 'vhdx', 'vdi', 'vpc']);

/** Bytes `detectFormat` wants to see (fewer is fine at end of input). */
export const DETECT_BYTES = 512;

const startsWith = (head: Buffer, magic: string | number[], at = 0): boolean => {
  const bytes = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : Buffer.from(magic);
  return head.length >= at + bytes.length && head.subarray(at, at + bytes.length).equals(bytes);
};

/** The format of an image whose first bytes are `head`; anything unrecognised is a raw disk. */
export function detectFormat(head: Buffer): ImageFormat {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip'; // local file header (APPNOTE 4.3.7)
  if (startsWith(head, [0x1f, 0x8b])) return 'gz'; // RFC 1952 ID1 ID2
  if (startsWith(head, [0x51, 0x46, 0x49, 0xfb])) return 'qcow2'; // "QFI\xfb"
  if (startsWith(head, 'KDMV')) return 'vmdk'; // hosted sparse extent header
  if (startsWith(head, '# Disk DescriptorFile')) return 'vmdk'; // descriptor file (refused later: it names other files)
  if (startsWith(head, 'vhdxfile')) return 'vhdx'; // VHDX file type identifier
  if (startsWith(head, [0x7f, 0x10, 0xda, 0xbe], 64)) return 'vdi'; // VDI signature 0xbeda107f at 0x40
  if (startsWith(head, 'conectix')) return 'vpc'; // dynamic VHD: footer copy at 0
  return 'raw';
}
