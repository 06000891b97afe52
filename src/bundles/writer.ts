// Writes a bundle zip (reference §8.1, §8.3): plan scripts, golden images (json then payload), build
// plans, deployment plans, MANIFEST.MF, then SHA256SUM.sha256sum listing every other entry in zip order.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { invalid } from '../core/errors.js';
import { compact } from './artifact-json.js';
import { formatChecksums } from './checksums.js';
import { formatManifest, type Manifest } from './manifest.js';
import { entryNameProblem } from './zip-reader.js';

type Json = Record<string, unknown>;

export interface BundleToWrite {
  manifest: Manifest;
  planScripts: Json[];
  goldenImages: { json: Json; openPayload: () => Promise<Readable> }[];
  buildPlans: Json[];
  deploymentPlans: Json[];
}

export interface WrittenBundle {
  sizeBytes: number;
  /** sha256 of the whole zip file. */
  sha256: string;
  entries: { name: string; digest: string }[];
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes `bundle` to `path` (removed again on failure or abort). */
export async function writeBundle(path: string, bundle: BundleToWrite, options: { signal?: AbortSignal } = {}): Promise<WrittenBundle> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.parse(bundle.manifest.timeStamp) || Date.now());
  const entries: { name: string; digest: string | Promise<string> }[] = [];
  const addJson = (name: string, json: Json) => {
    const data = compact(json);
    entries.push({ name, digest: sha256(data) });
    zip.addBuffer(data, name, { mtime, compress: true });
  };
  for (const s of bundle.planScripts) addJson(`${String(s['id'])}_planscript.json`, s);
  for (const g of bundle.goldenImages) {
    addJson(`${String(g.json['id'])}_goldenimage.json`, g.json);
    const name = String(g.json['name']);
    const problem = entryNameProblem(name);
    if (problem !== undefined) throw invalid('BUNDLE_GOLDEN_IMAGE_NAME', `Cannot put golden image "${name}" in a bundle: its name cannot be a zip entry name (${problem.replace('the entry name', 'it')})`, { recommendedActions: ['Rename the golden image'] });
    let resolveDigest: (digest: string) => void = () => undefined;
    let rejectDigest: (error: unknown) => void = () => undefined;
    const digest = new Promise<string>((resolve, reject) => ((resolveDigest = resolve), (rejectDigest = reject)));
    digest.catch(() => undefined);
    entries.push({ name, digest });
    zip.addReadStreamLazy(name, { mtime, compress: true }, (callback) => {
      g.openPayload().then(
        (source) => {
          const hash = createHash('sha256');
          const hashing = new Transform({
            transform(chunk: Buffer, _e, done) {
              hash.update(chunk);
              done(null, chunk);
            },
            flush(done) {
              resolveDigest(hash.digest('hex'));
              done();
            },
          });
          source.on('error', (error) => {
            rejectDigest(error);
            hashing.destroy(error);
          });
          callback(null, source.pipe(hashing));
        },
        (error: unknown) => {
          rejectDigest(error);
          callback(error, new PassThrough());
        },
      );
    });
  }
  for (const p of bundle.buildPlans) addJson(`${String(p['buildPlanid'])}_buildplan.json`, p);
  for (const d of bundle.deploymentPlans) addJson(`${String(d['id'])}_deploymentplan.json`, d);
  const manifest = Buffer.from(formatManifest(bundle.manifest), 'utf8');
  entries.push({ name: 'MANIFEST.MF', digest: sha256(manifest) });
  zip.addBuffer(manifest, 'MANIFEST.MF', { mtime, compress: true });
  const resolved: { name: string; digest: string }[] = [];
  zip.addReadStreamLazy('SHA256SUM.sha256sum', { mtime, compress: true }, (callback) => {
    Promise.all(entries.map(async (e) => ({ name: e.name, digest: await e.digest }))).then(
      (all) => {
        resolved.push(...all);
        const stream = new PassThrough();
        stream.end(formatChecksums(all));
        callback(null, stream);
      },
      (error: unknown) => callback(error, new PassThrough()),
    );
  });
  zip.end();

  const fileHash = createHash('sha256');
  let sizeBytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _e, done) {
      fileHash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  const failure = new Promise<never>((_resolve, reject) => zip.on('error', reject));
  failure.catch(() => undefined);
  try {
    await Promise.race([pipeline(zip.outputStream as Readable, counting, createWriteStream(path), ...(options.signal === undefined ? [] : [{ signal: options.signal }])), failure]);
  } catch (error) {
    (zip.outputStream as Readable).destroy();
    await rm(path, { force: true });
    throw error;
  }
  return { sizeBytes, sha256: fileHash.digest('hex'), entries: resolved };
}
