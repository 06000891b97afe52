// Reads and validates a whole bundle (reference §8.1) before anything is imported: checksums of every
// entry, MANIFEST.MF, every JSON, and every reference resolvable inside the bundle or on the appliance.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { invalid, type AppError } from '../core/errors.js';
import { checksumFiles, isChecksumFile, parseChecksums, type ChecksumFile } from './checksums.js';
import { parseManifest, type Manifest } from './manifest.js';
import { BundleZip, readAll, type ZipEntryInfo, type ZipLimits } from './zip-reader.js';

export type ArtifactKind = 'planscript' | 'buildplan' | 'deploymentplan' | 'goldenimage';

export interface BundleArtifact {
  kind: ArtifactKind;
  /** The entry holding the JSON, e.g. `<id>_planscript.json`. */
  entry: string;
  id: string;
  name: string;
  json: Record<string, unknown>;
}

export interface BundleGoldenImage extends BundleArtifact {
  /** The entry holding the image payload (named after the image). */
  payload: ZipEntryInfo;
  payloadDigest: string;
}

export interface BundleContent {
  manifest: Manifest;
  checksumFile: ChecksumFile;
  /** Every entry in zip order, with its digest from the checksum file and its inflated size. */
  entries: { name: string; digest: string; sizeBytes: number }[];
  planScripts: BundleArtifact[];
  goldenImages: BundleGoldenImage[];
  buildPlans: BundleArtifact[];
  deploymentPlans: BundleArtifact[];
}

/** What the appliance already holds, for references a bundle does not carry itself. */
export interface ApplianceRefs {
  planScriptExists(id: string): Promise<boolean>;
  buildPlanExists(name: string): Promise<boolean>;
  goldenImageExists(name: string): Promise<boolean>;
}

const suffixes: [string, ArtifactKind][] = [
  ['_planscript.json', 'planscript'],
  ['_buildplan.json', 'buildplan'],
  ['_deploymentplan.json', 'deploymentplan'],
  ['_goldenimage.json', 'goldenimage'],
];

function kindOf(name: string): ArtifactKind | undefined {
  return suffixes.find(([suffix]) => name.endsWith(suffix))?.[1];
}

const fail = (bundle: string, cause: string, entry?: string): AppError =>
  invalid('BUNDLE_INVALID', `Cannot read bundle "${bundle}"${entry === undefined ? '' : ` at entry "${entry}"`}: ${cause}`, {
    recommendedActions: ['Check that the file is an artifact bundle exported by Image Streamer, and upload it again'],
    data: entry === undefined ? {} : { entry },
  });

/** Streams an entry through its digest; resolves with the digest, the size, and the bytes when `keep`. */
async function digestEntry(zip: BundleZip, info: ZipEntryInfo, options: { algorithm: string; keep: boolean; budget: { remainingBytes: number } }): Promise<{ digest: string; sizeBytes: number; bytes?: Buffer }> {
  const stream = await zip.open(info, { maxBytes: options.keep ? zip.textLimit : zip.payloadLimit, budget: options.budget });
  const hash = createHash(options.algorithm);
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        if (options.keep) chunks.push(chunk);
        done();
      },
    }),
  );
  return { digest: hash.digest('hex'), sizeBytes, ...(options.keep ? { bytes: Buffer.concat(chunks) } : {}) };
}

function parseJson(bundle: string, entry: string, bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw fail(bundle, `it is not valid JSON (${(error as Error).message})`, entry);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(bundle, 'it is not a JSON object', entry);
  return value as Record<string, unknown>;
}

function artifactOf(bundle: string, kind: ArtifactKind, entry: string, json: Record<string, unknown>): BundleArtifact {
  const fileId = entry.slice(0, entry.length - suffixes.find(([, k]) => k === kind)![0].length);
  const id = kind === 'buildplan' ? (json['buildPlanid'] ?? json['id']) : json['id'];
  if (typeof id !== 'string' || id !== fileId) throw fail(bundle, `its id "${String(id)}" does not match the file name`, entry);
  const name = json['name'];
  if (typeof name !== 'string' || name.trim() === '') throw fail(bundle, 'it has no name', entry);
  return { kind, entry, id, name, json };
}

/**
 * Opens the zip at `path`, verifies it, and returns what it holds. Payloads are hashed, not kept. With
 * `appliance`, references the bundle does not resolve itself must exist there. Errors name the entry.
 * `skipPayloadDigests` (a bundle already validated at upload) takes payload digests from the checksum
 * file unread; openPayload still verifies them while the payload streams.
 */
export async function readBundle(path: string, options: { label: string; limits?: ZipLimits; appliance?: ApplianceRefs; skipPayloadDigests?: boolean }): Promise<BundleContent> {
  const label = options.label;
  const zip = await BundleZip.open(path, { label, ...(options.limits === undefined ? {} : { limits: options.limits }) });
  try {
    const checksumEntries = zip.entries.filter((e) => isChecksumFile(e.name));
    if (checksumEntries.length === 0) throw fail(label, 'it has no checksum file (SHA256SUM.sha256sum or SHA1SUM.sha1sum)');
    if (checksumEntries.length > 1) throw fail(label, 'it has more than one checksum file');
    const checksumFile = checksumEntries[0]!.name as ChecksumFile;
    const algorithm = checksumFiles[checksumFile];
    const budget = zip.newBudget();
    const listed = parseChecksums((await readAll(await zip.open(checksumEntries[0]!, { maxBytes: zip.textLimit, budget }))).toString('utf8'), { bundle: label, file: checksumFile });

    const texts = new Map<string, Buffer>();
    const entries: BundleContent['entries'] = [];
    const payloads: ZipEntryInfo[] = [];
    for (const info of zip.entries) {
      if (info.name === checksumFile) continue;
      const expected = listed.get(info.name);
      if (expected === undefined) throw fail(label, `the entry is not listed in ${checksumFile}`, info.name);
      const keep = info.name === 'MANIFEST.MF' || kindOf(info.name) !== undefined;
      if (!keep && options.skipPayloadDigests === true) {
        entries.push({ name: info.name, digest: expected, sizeBytes: info.declaredSize });
        payloads.push(info);
        continue;
      }
      const read = await digestEntry(zip, info, { algorithm, keep, budget });
      if (read.digest !== expected) throw fail(label, `its ${algorithm} checksum ${read.digest} differs from ${expected} in ${checksumFile}`, info.name);
      entries.push({ name: info.name, digest: read.digest, sizeBytes: read.sizeBytes });
      if (read.bytes !== undefined) texts.set(info.name, read.bytes);
      else payloads.push(info);
    }
    for (const name of listed.keys()) {
      if (!zip.entries.some((e) => e.name === name)) throw fail(label, `${checksumFile} lists "${name}", which the bundle does not hold`, name);
    }

    const manifestBytes = texts.get('MANIFEST.MF');
    if (manifestBytes === undefined) throw fail(label, 'it has no MANIFEST.MF');
    const manifest = parseManifest(manifestBytes.toString('utf8'), label);

    const content: BundleContent = { manifest, checksumFile, entries, planScripts: [], goldenImages: [], buildPlans: [], deploymentPlans: [] };
    for (const entry of entries) {
      const kind = kindOf(entry.name);
      if (kind === undefined) continue;
      const artifact = artifactOf(label, kind, entry.name, parseJson(label, entry.name, texts.get(entry.name)!));
      if (kind === 'planscript') content.planScripts.push(artifact);
      else if (kind === 'buildplan') content.buildPlans.push(artifact);
      else if (kind === 'deploymentplan') content.deploymentPlans.push(artifact);
      else {
        const payload = payloads.find((p) => p.name === artifact.name);
        if (payload === undefined) throw fail(label, `golden image "${artifact.name}" has no payload entry named after it`, entry.name);
        content.goldenImages.push({ ...artifact, payload, payloadDigest: entries.find((e) => e.name === payload.name)!.digest });
      }
    }
    for (const payload of payloads) {
      if (!content.goldenImages.some((g) => g.payload === payload)) throw fail(label, 'the entry is neither an artifact nor the payload of a golden image in the bundle', payload.name);
    }
    await checkReferences(content, label, options.appliance);
    return content;
  } finally {
    zip.close();
  }
}

function uniqueNames(list: BundleArtifact[], what: string, label: string): void {
  const seen = new Map<string, string>();
  for (const a of list) {
    const previous = seen.get(a.name);
    if (previous !== undefined) throw fail(label, `${what} "${a.name}" also appears in "${previous}"`, a.entry);
    seen.set(a.name, a.entry);
  }
}

async function checkReferences(content: BundleContent, label: string, appliance: ApplianceRefs | undefined): Promise<void> {
  uniqueNames(content.planScripts, 'plan script', label);
  uniqueNames(content.buildPlans, 'build plan', label);
  uniqueNames(content.deploymentPlans, 'deployment plan', label);
  uniqueNames(content.goldenImages, 'golden image', label);
  const scriptIds = new Set(content.planScripts.map((p) => p.id));
  for (const plan of content.buildPlans) {
    const steps = plan.json['buildStep'] ?? [];
    if (!Array.isArray(steps)) throw fail(label, '"buildStep" is not an array', plan.entry);
    for (const [index, step] of (steps as unknown[]).entries()) {
      const uri = (step as { planScriptUri?: unknown } | null)?.planScriptUri;
      if (typeof uri !== 'string') throw fail(label, `step ${index + 1} has no "planScriptUri"`, plan.entry);
      const id = uri.replace(/^.*\//, '');
      if (scriptIds.has(id)) continue;
      if (appliance !== undefined && (await appliance.planScriptExists(id))) continue;
      throw fail(label, `step ${index + 1} of build plan "${plan.name}" runs plan script "${uri}", which is neither in the bundle nor on the appliance`, plan.entry);
    }
  }
  const planNames = new Set(content.buildPlans.map((p) => p.name));
  const imageNames = new Set(content.goldenImages.map((g) => g.name));
  for (const plan of content.deploymentPlans) {
    const buildPlan = plan.json['oeBuildPlanURI'];
    if (typeof buildPlan !== 'string' || buildPlan.trim() === '') throw fail(label, `deployment plan "${plan.name}" names no build plan ("oeBuildPlanURI")`, plan.entry);
    if (!planNames.has(buildPlan) && !(appliance !== undefined && (await appliance.buildPlanExists(buildPlan)))) {
      throw fail(label, `deployment plan "${plan.name}" uses build plan "${buildPlan}", which is neither in the bundle nor on the appliance`, plan.entry);
    }
    const image = plan.json['goldenImageURI'];
    if (image === null || image === undefined || image === '') continue;
    if (typeof image !== 'string') throw fail(label, '"goldenImageURI" is not a string', plan.entry);
    if (!imageNames.has(image) && !(appliance !== undefined && (await appliance.goldenImageExists(image)))) {
      throw fail(label, `deployment plan "${plan.name}" uses golden image "${image}", which is neither in the bundle nor on the appliance`, plan.entry);
    }
  }
}

/**
 * Opens a golden image payload of a bundle read before; the stream fails (AppError naming the entry) if
 * the bytes no longer match the checksum the bundle was validated with. Close `zip` when done.
 */
export async function openPayload(path: string, image: BundleGoldenImage, options: { label: string; checksumFile: ChecksumFile; limits?: ZipLimits }): Promise<{ stream: Readable; close(): void }> {
  const zip = await BundleZip.open(path, { label: options.label, ...(options.limits === undefined ? {} : { limits: options.limits }) });
  const info = zip.entries.find((e) => e.name === image.payload.name);
  if (info === undefined) {
    zip.close();
    throw fail(options.label, 'the payload is missing', image.payload.name);
  }
  const raw = await zip.open(info, { maxBytes: zip.payloadLimit, budget: zip.newBudget() });
  const hash = createHash(checksumFiles[options.checksumFile]);
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const digest = hash.digest('hex');
      done(digest === image.payloadDigest ? null : fail(options.label, `its checksum changed since the bundle was validated (${digest})`, info.name));
    },
  });
  raw.on('error', (error) => checked.destroy(error));
  return { stream: raw.pipe(checked), close: () => zip.close() };
}
