// The checksum file of a bundle (reference §8.1): `<name>\t<hex digest>\n` per entry in zip order, ending
// with MANIFEST.MF; SHA256SUM.sha256sum today, SHA1SUM.sha1sum in bundles from 2017.
import { invalid } from '../core/errors.js';

export const checksumFiles = { 'SHA256SUM.sha256sum': 'sha256', 'SHA1SUM.sha1sum': 'sha1' } as const;
export type ChecksumFile = keyof typeof checksumFiles;
export type DigestAlgorithm = (typeof checksumFiles)[ChecksumFile];

export const isChecksumFile = (name: string): name is ChecksumFile => Object.hasOwn(checksumFiles, name);

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha1: 40 };

/** Entry name → lower-case hex digest. Also accepts the `<hex>  <name>` form of sha256sum(1). */
export function parseChecksums(text: string, options: { bundle: string; file: ChecksumFile }): Map<string, string> {
  const algorithm = checksumFiles[options.file];
  const digests = new Map<string, string>();
  const fail = (cause: string) => invalid('BUNDLE_INVALID', `Cannot read bundle "${options.bundle}" at entry "${options.file}": ${cause}`, { data: { entry: options.file } });
  const hex = new RegExp(`^[0-9a-fA-F]{${hexLength[algorithm]}}$`);
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    let name: string | undefined;
    let digest: string | undefined;
    const tab = line.lastIndexOf('\t');
    if (tab > 0) [name, digest] = [line.slice(0, tab), line.slice(tab + 1).trim()];
    else {
      const coreutils = /^([0-9a-fA-F]+) [ *](.+)$/.exec(line);
      if (coreutils !== null) [digest, name] = [coreutils[1], coreutils[2]];
    }
    if (name === undefined || digest === undefined || !hex.test(digest)) throw fail(`line ${index + 1} is not "<name><TAB><${algorithm} hex digest>"`);
    if (digests.has(name)) throw fail(`"${name}" is listed twice`);
    digests.set(name, digest.toLowerCase());
  }
  return digests;
}

export function formatChecksums(entries: { name: string; digest: string }[]): string {
  return entries.map((e) => `${e.name}\t${e.digest}\n`).join('');
}
