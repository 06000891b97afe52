// Dry run of a deployment plan: the build plan runs on a throw-away clone of the golden image with the
// given attribute values, and the answer is the log plus every file that would differ from the golden
// image (text diffs for text files). Nothing is exported, booted or kept.
import { diffLines, idFromUri, type DeploymentPlans, type LineChange } from '../artifacts/index.js';
import { AppError } from '../core/errors.js';
import type { GuestSession } from '../guestfs/session.js';
import type { ImageFs } from '../guestfs/image-fs.js';
import type { Disk } from '../storage/disk.js';
import { resolveAttributes } from './attribute-resolver.js';
import type { Personalize, PersonalizeFailure, VolumeBackend } from './deployer.js';
import type { GoldenImages } from '../artifacts/index.js';

export interface FileChange {
  /** `/dev/sda1:/etc/hostname` style: the device, then the path inside its filesystem. */
  path: string;
  change: 'added' | 'removed' | 'modified';
  /** What changed besides content: mode, owner, link target. */
  details: string[];
  /** Line changes of a text file (absent for binary or large files). */
  diff?: LineChange[];
  sizeBytes: number;
}

export interface PreviewResult {
  ok: boolean;
  failure?: PersonalizeFailure;
  log: string[];
  changes: FileChange[];
}

export interface PreviewParts {
  deploymentPlans: DeploymentPlans;
  goldenImages: GoldenImages;
  volumes: VolumeBackend;
  personalize: Personalize;
  steps: (planId: string) => Promise<{ name: string; content: string }[]>;
  openSession: (disk: Disk) => Promise<GuestSession>;
}

const TEXT_LIMIT = 256 * 1024;

interface Entry {
  kind: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  link?: string;
}

async function walk(fs: ImageFs, dir: string, out: Map<string, Entry>): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (dir === '/' && name === 'lost+found') continue;
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = await fs.lstat(path);
    const entry: Entry = { kind: st.kind, size: st.sizeBytes, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs };
    if (st.kind === 'symlink') entry.link = await fs.readlink(path);
    out.set(path, entry);
    if (st.kind === 'directory') await walk(fs, path, out);
  }
}

function isText(data: Buffer): boolean {
  return data.length <= TEXT_LIMIT && !data.includes(0);
}

/** Differences between the same filesystem before (golden) and after (personalized). */
async function compare(device: string, before: ImageFs, after: ImageFs): Promise<FileChange[]> {
  const a = new Map<string, Entry>();
  const b = new Map<string, Entry>();
  await walk(before, '/', a);
  await walk(after, '/', b);
  const changes: FileChange[] = [];
  for (const [path, entry] of b) {
    const old = a.get(path);
    const where = `${device}:${path}`;
    if (old === undefined) {
      const change: FileChange = { path: where, change: 'added', details: [entry.kind === 'symlink' ? `symlink to ${entry.link ?? ''}` : entry.kind], sizeBytes: entry.size };
      if (entry.kind === 'file') {
        const data = await after.readFile(path);
        if (isText(data)) change.diff = diffLines('', data.toString('utf8'));
      }
      changes.push(change);
      continue;
    }
    const details: string[] = [];
    if (old.kind !== entry.kind) details.push(`${old.kind} → ${entry.kind}`);
    if ((old.mode & 0o7777) !== (entry.mode & 0o7777)) details.push(`mode ${(old.mode & 0o7777).toString(8)} → ${(entry.mode & 0o7777).toString(8)}`);
    if (old.uid !== entry.uid || old.gid !== entry.gid) details.push(`owner ${old.uid}:${old.gid} → ${entry.uid}:${entry.gid}`);
    if (old.link !== entry.link) details.push(`link ${old.link ?? ''} → ${entry.link ?? ''}`);
    let diff: LineChange[] | undefined;
    let contentChanged = false;
    if (entry.kind === 'file' && old.kind === 'file' && (old.size !== entry.size || old.mtimeMs !== entry.mtimeMs)) {
      const [x, y] = await Promise.all([before.readFile(path), after.readFile(path)]);
      if (!x.equals(y)) {
        contentChanged = true;
        if (isText(x) && isText(y)) diff = diffLines(x.toString('utf8'), y.toString('utf8'));
        else details.push(`content (${x.length} → ${y.length} bytes)`);
      }
    }
    if (details.length > 0 || contentChanged) changes.push({ path: where, change: 'modified', details, sizeBytes: entry.size, ...(diff === undefined ? {} : { diff }) });
  }
  for (const [path, entry] of a) if (!b.has(path)) changes.push({ path: `${device}:${path}`, change: 'removed', details: [entry.kind], sizeBytes: entry.size });
  return changes.sort((x, y) => x.path.localeCompare(y.path));
}

export async function previewDeployment(parts: PreviewParts, planKey: string, given: unknown, signal: AbortSignal): Promise<PreviewResult> {
  const plan = await parts.deploymentPlans.get(idFromUri(planKey, 'deployment-plans') ?? planKey);
  const list = typeof given === 'object' && given !== null && Array.isArray((given as { osCustomAttributes?: unknown }).osCustomAttributes) ? (given as { osCustomAttributes: { name: string; value: string }[] }).osCustomAttributes : [];
  const values = resolveAttributes(plan, list);
  const goldenId = plan.goldenImageURI === null ? undefined : idFromUri(plan.goldenImageURI, 'golden-images');
  if (goldenId === undefined) throw new AppError('invalid', 'PREVIEW_NO_GOLDEN_IMAGE', `Cannot preview "${plan.name}": it has no golden image to compare with`);
  const image = await parts.goldenImages.stored(goldenId);
  const steps = await parts.steps(idFromUri(plan.oeBuildPlanURI, 'build-plans') ?? plan.oeBuildPlanURI);

  const cloneId = await parts.volumes.cloneVolume(image.doc.storageId);
  const log: string[] = [];
  try {
    const disk = await parts.volumes.openDisk(cloneId);
    let result: Awaited<ReturnType<Personalize>>;
    try {
      result = await parts.personalize(disk, { steps, values, attributes: plan.customAttributes, signal, log: (line) => log.push(line) });
    } finally {
      await disk.close();
    }
    const golden = await parts.volumes.openDisk(image.doc.storageId, { readOnly: true });
    const after = await parts.volumes.openDisk(cloneId, { readOnly: true });
    const changes: FileChange[] = [];
    try {
      const sa = await parts.openSession(golden);
      const sb = await parts.openSession(after);
      try {
        for (const fs of await sa.listFilesystems()) {
          if (!['ext2', 'ext3', 'ext4', 'vfat'].includes(fs.type)) continue;
          const ok = await Promise.all([sa.mount(fs.device, '/', { readOnly: true }), sb.mount(fs.device, '/', { readOnly: true })]).then(() => true, () => false);
          if (ok) changes.push(...(await compare(fs.device, sa.resolve('/').fs, sb.resolve('/').fs)));
          await sa.umountAll();
          await sb.umountAll();
        }
      } finally {
        await sa.close();
        await sb.close();
      }
    } finally {
      await golden.close();
      await after.close();
    }
    return { ok: result.ok, ...(result.failure === undefined ? {} : { failure: result.failure }), log, changes };
  } finally {
    await parts.volumes.deleteVolume(cloneId);
  }
}
