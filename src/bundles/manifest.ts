// MANIFEST.MF of a bundle (reference §8.1): five `Key:Value` lines, LF, no trailing newline.
import { invalid } from '../core/errors.js';

export interface Manifest {
  artifactName: string;
  description: string;
  readOnly: boolean;
  timeStamp: string;
  artifactType: string;
}

/** Parses MANIFEST.MF; `Artifact Name` and `Read Only` are required, the others default. */
export function parseManifest(text: string, bundle: string): Manifest {
  const fields = new Map<string, string>();
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed.trim() === '') continue;
    const colon = trimmed.indexOf(':');
    if (colon <= 0) throw problem(bundle, `the line "${trimmed.slice(0, 80)}" is not "Key:Value"`);
    fields.set(trimmed.slice(0, colon).trim().toLowerCase(), trimmed.slice(colon + 1));
  }
  const name = fields.get('artifact name')?.trim();
  if (name === undefined || name === '') throw problem(bundle, 'it has no "Artifact Name" line');
  const readOnly = fields.get('read only')?.trim().toLowerCase();
  if (readOnly !== 'true' && readOnly !== 'false') throw problem(bundle, `"Read Only" must be true or false, got "${readOnly ?? '(missing)'}"`);
  return {
    artifactName: name,
    description: fields.get('description') ?? '',
    readOnly: readOnly === 'true',
    timeStamp: fields.get('time stamp')?.trim() ?? '',
    artifactType: fields.get('artifact type')?.trim() ?? 'USER',
  };
}

/** MANIFEST.MF exactly as HPE writes it: five lines, LF, no trailing newline. */
export function formatManifest(manifest: Manifest): string {
  const oneLine = (s: string) => s.replace(/\r?\n/g, '\\n');
  return [
    `Artifact Name:${oneLine(manifest.artifactName)}`,
    `Description:${oneLine(manifest.description)}`,
    `Read Only:${manifest.readOnly ? 'true' : 'false'}`,
    `Time Stamp:${manifest.timeStamp}`,
    `Artifact Type:${manifest.artifactType}`,
  ].join('\n');
}

function problem(bundle: string, cause: string) {
  return invalid('BUNDLE_INVALID', `Cannot read bundle "${bundle}" at entry "MANIFEST.MF": ${cause}`, { data: { entry: 'MANIFEST.MF' } });
}
