// Bad plan-script input through the real appliance over REST: unterminated here-documents, unknown
// commands, a missing partition, a 100 MiB upload, paths escaping the guest or the scratch directory, a
// host command that never ends. Each gives a clear error, leaves the golden image's bytes as they were
// and no OS volume behind, and the server goes on deploying.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { ADMIN_PASSWORD, requireTool, startServedAppliance, type ServedAppliance } from '../support/served-appliance.js';

const MiB = 1024 * 1024;
/** The golden disk: GPT, a small ext4 (sda1, 8 MiB) and a roomy one (sda2, 160 MiB) holding the OS. */
const SMALL = { startMiB: 1, sizeMiB: 8 };
const ROOT = { startMiB: 9, sizeMiB: 160 };
// the never-ending host command waits this long; a 100 MiB file made and hashed on a loaded 2-core machine fits in it
const HOST_TIMEOUT_MS = 12_000;

let work: string;
let scratchParent: string;
let outside: string;
let a: ServedAppliance;
let golden: any;
let goldenSha: string;
let made = 0;
const call = (method: string, path: string, body?: unknown) => a.call(method, path, body);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The golden image's raw content as the volume store holds it. */
async function goldenContentSha(): Promise<string> {
  const { appliance } = a.running;
  const stored = await appliance.goldenImages.stored(golden.id);
  const disk = await appliance.volumeStore.openDisk(stored.doc.storageId, { readOnly: true });
  try {
    const hash = createHash('sha256');
    for (let at = 0; at < disk.sizeBytes; at += 8 * MiB) hash.update(await disk.read(at, Math.min(8 * MiB, disk.sizeBytes - at)));
    return hash.digest('hex');
  } finally {
    await disk.close();
  }
}

function makeGoldenDisk(file: string, root: string): void {
  const small = join(work, 'small.img');
  const big = join(work, 'root.img');
  execFileSync('truncate', ['-s', `${SMALL.sizeMiB}M`, small]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'small', small], { stdio: 'ignore' });
  execFileSync('truncate', ['-s', `${ROOT.sizeMiB}M`, big]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'root', '-d', root, big], { stdio: 'ignore' });
  execFileSync('truncate', ['-s', `${ROOT.startMiB + ROOT.sizeMiB + 2}M`, file]);
  const sectors = (mib: number) => mib * 2048;
  execFileSync('sfdisk', ['-q', file], {
    input: `label: gpt\nstart=${sectors(SMALL.startMiB)}, size=${sectors(SMALL.sizeMiB)}, name=small\nstart=${sectors(ROOT.startMiB)}, size=${sectors(ROOT.sizeMiB)}, name=root\n`,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  for (const [image, part] of [[small, SMALL], [big, ROOT]] as const) {
    execFileSync('dd', [`if=${image}`, `of=${file}`, 'bs=1M', `seek=${part.startMiB}`, 'conv=notrunc,sparse', 'status=none']);
  }
}

/** Reads an OS volume over NBD and cuts its root partition out into a file of its own. */
async function rootPartitionOf(osVolumeUri: string, name: string): Promise<string> {
  const disk = join(work, `${name}.disk`);
  await a.readVolume(osVolumeUri, disk);
  const part = join(work, `${name}.root`);
  execFileSync('dd', [`if=${disk}`, `of=${part}`, 'bs=1M', `skip=${ROOT.startMiB}`, `count=${ROOT.sizeMiB}`, 'conv=sparse', 'status=none']);
  await rm(disk);
  return part;
}

const guestFile = (image: string, path: string): Buffer => execFileSync('debugfs', ['-R', `cat ${path}`, image], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * MiB });
const guestLs = (image: string, path: string): string => execFileSync('debugfs', ['-R', `ls ${path}`, image], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
const fsckClean = (image: string): void => void execFileSync('e2fsck', ['-fn', image], { stdio: 'pipe' });

async function volumeCount(): Promise<number> {
  return (await call('GET', '/rest/os-volumes')).body.total;
}

/** A deployment plan over the golden image whose build plan runs `content` (saved through the REST API). */
async function planFor(scriptName: string, content: string): Promise<any> {
  const script = await a.created('/rest/plan-scripts', { name: scriptName, planType: 'deploy', content });
  return planOver(script.uri);
}

async function planOver(planScriptUri: string): Promise<any> {
  const n = ++made;
  const buildPlan = await a.created('/rest/build-plans', { name: `bp ${n}`, oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri }] });
  return a.created('/rest/deployment-plans', { name: `dp ${n}`, oeBuildPlanURI: buildPlan.uri, goldenImageURI: golden.uri });
}

/** Deploys a server profile with `plan`; returns the final task. */
async function deploy(plan: any): Promise<any> {
  return a.finished(await call('POST', '/rest/server-profiles', { name: `profile ${++made}`, osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [] } }));
}

/** What runs left behind: the entries of the appliance's one scratch directory (streamer-scratch-*) in scratchParent. */
function scratchLeft(): string[] {
  return readdirSync(scratchParent).flatMap((root) => readdirSync(join(scratchParent, root)).map((name) => `${root}/${name}`));
}

/** Deploys, expects the task to end in Error; checks no volume or scratch directory is left and the golden image is as it was. */
async function failedDeploy(plan: any): Promise<{ message: string; output: string }> {
  const before = await volumeCount();
  const task = await deploy(plan);
  expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Error');
  expect(await volumeCount()).toBe(before);
  expect(scratchLeft()).toEqual([]);
  expect(await goldenContentSha()).toBe(goldenSha);
  return { message: task.taskErrors[0].message as string, output: (task.taskOutput as string[]).join('\n') };
}

/** Deploys, expects success; returns the task and the new OS volume's uri. */
async function goodDeploy(plan: any): Promise<{ task: any; osVolumeUri: string; output: string }> {
  const task = await deploy(plan);
  expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
  const profile = (await call('GET', task.associatedResource.resourceUri)).body;
  expect(scratchLeft()).toEqual([]);
  expect(await goldenContentSha()).toBe(goldenSha);
  return { task, osVolumeUri: profile.osDeploymentSettings.osVolumeUri, output: (task.taskOutput as string[]).join('\n') };
}

beforeAll(async () => {
  for (const [tool, pkg] of [['mkfs.ext4', 'e2fsprogs'], ['debugfs', 'e2fsprogs'], ['e2fsck', 'e2fsprogs'], ['sfdisk', 'fdisk'], ['nbdcopy', 'libnbd-bin']] as const) requireTool(tool, pkg);
  work = await mkdtemp(join(tmpdir(), 'streamer-bad-input-'));
  scratchParent = join(work, 'scratch');
  outside = join(work, 'outside');
  await mkdir(scratchParent);
  await mkdir(outside);
  a = await startServedAppliance(join(work, 'data'), { planScriptHost: { scratchParent, limits: { timeoutMs: HOST_TIMEOUT_MS } } });

  const root = join(work, 'root');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'tmp'));
  await writeFile(join(root, 'etc/hostname'), 'golden\n');
  await writeFile(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  const disk = join(work, 'golden.img');
  makeGoldenDisk(disk, root);
  const task = await a.finished(await call('POST', '/rest/golden-images/import', { path: disk, name: 'golden' }));
  expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
  golden = (await call('GET', task.associatedResource.resourceUri)).body;
  goldenSha = await goldenContentSha();
  expect(goldenSha).toBe(sha256(await readFile(disk)));
}, 60_000);

afterAll(async () => {
  await a?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('unterminated here-documents', () => {
  const content = 'mount /dev/sda2 /\nwrite /etc/before x\nupload -<<END /etc/hostname\nweb-01\n';

  it('are refused when the plan script is saved, naming the line and column', async () => {
    const reply = await call('POST', '/rest/plan-scripts', { name: 'unterminated', planType: 'deploy', content });
    expect(reply.status).toBe(400);
    expect(reply.body.errorCode).toBe('PLANSCRIPT_SYNTAX');
    expect(reply.body.message).toBe('Cannot save the plan script: here-document "END" is never terminated (line 3, column 8)');
    expect((await call('GET', "/rest/plan-scripts?filter=\"name='unterminated'\"")).body.total).toBe(0);

    const saved = await a.created('/rest/plan-scripts', { name: 'terminated', planType: 'deploy', content: 'echo fine\n' });
    const update = await call('PUT', saved.uri, { ...saved, content });
    expect(update.status).toBe(400);
    expect(update.body.message).toBe('Cannot save the plan script: here-document "END" is never terminated (line 3, column 8)');
    expect((await call('GET', saved.uri)).body.content).toBe('echo fine\n');
  });

  it('fail the deploy with the same message when they arrive in a bundle', async () => {
    const id = '66666666-6666-4666-8666-666666666666';
    const bp = '77777777-7777-4777-8777-777777777777';
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const entries = [
      { name: `${id}_planscript.json`, data: json({ type: 'PlanScript', id, name: 'bundled unterminated', planType: 'deploy', content, description: '', hpProvided: false, customAttributes: null }) },
      { name: `${bp}_buildplan.json`, data: json({ type: 'OeBuildPlanV5', buildPlanid: bp, name: 'bundled bp', oeBuildPlanType: 'deploy', description: '', hpProvided: false, customAttributes: [], buildStep: [{ serialNumber: '1', planScriptUri: `/rest/plan-scripts/${id}`, planScriptName: 'bundled unterminated', parameters: null }] }) },
      { name: 'MANIFEST.MF', data: Buffer.from('Artifact Name:Unterminated\nDescription:test\nRead Only:false\nTime Stamp:2026-01-01T00:00:00.000Z\nArtifact Type:USER') },
    ];
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addBuffer(e.data, e.name);
    zip.addBuffer(Buffer.from(entries.map((e) => `${e.name}\t${sha256(e.data)}\n`).join('')), 'SHA256SUM.sha256sum');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
    const form = new FormData();
    form.append('file', new Blob([Buffer.concat(chunks)]), 'unterminated.zip');
    const login = await call('POST', '/rest/login-sessions', { userName: 'Administrator', password: ADMIN_PASSWORD });
    const upload = await fetch(`${a.base}/rest/artifact-bundles`, { method: 'POST', headers: { 'x-api-version': '2000', auth: login.body.sessionID }, body: form });
    const uploaded = await a.finished({ status: upload.status, body: await upload.json() });
    expect(uploaded.taskState, JSON.stringify(uploaded.taskErrors)).toBe('Completed');
    const extracted = await a.finished(await call('PUT', `${uploaded.associatedResource.resourceUri}?extract=true`));
    expect(extracted.taskState, JSON.stringify(extracted.taskErrors)).toBe('Completed');
    // extracted all the same, with a warning that says what the deploy below finds
    expect(extracted.taskOutput).toContainEqual(expect.stringContaining('"bundled unterminated" (entry "66666666-6666-4666-8666-666666666666_planscript.json") does not parse (line 3, column 8: here-document "END" is never terminated)'));

    const { message } = await failedDeploy(await planOver(`/rest/plan-scripts/${id}`));
    expect(message).toContain('here-document "END" is never terminated');
    expect(message).toContain('step "bundled unterminated", line 3, column 8');
  });
});

describe('unknown commands', () => {
  it('stop the deploy naming the step, line and command', async () => {
    const { message } = await failedDeploy(await planFor('frobnicating', 'mount /dev/sda2 /\nwrite /etc/before x\nfrobnicate /x\nwrite /etc/after y\n'));
    expect(message).toMatch(/^Cannot personalize .*\(plan script "frobnicating", line 3: frobnicate \/x\): frobnicate: unknown command$/);
  });

  it('are ignored with a leading "-": the deploy goes on and succeeds', async () => {
    const { osVolumeUri, output } = await goodDeploy(await planFor('frobnicating quietly', 'mount /dev/sda2 /\n-frobnicate /x\nwrite /etc/after y\n'));
    expect(output).toContain('frobnicate: unknown command');
    const root = await rootPartitionOf(osVolumeUri, 'ignored');
    fsckClean(root);
    expect(guestFile(root, '/etc/after').toString()).toBe('y');
  });
});

describe('a missing partition', () => {
  it('fails the deploy naming the device', async () => {
    const { message } = await failedDeploy(await planFor('ninth partition', 'mount /dev/sda9 /\nwrite /etc/x y\n'));
    // worded as libguestfs words it, so that logs match guestfish's
    expect(message).toMatch(/\(plan script "ninth partition", line 1: mount \/dev\/sda9 \/\): mount: mount_stub: \/dev\/sda9: No such file or directory$/);
  });
});

describe('a 100 MiB upload', () => {
  const script = (device: string) => `mount ${device} /\n!head -c 100M /dev/urandom > big && sha256sum big\nupload big /big\n`;

  it('arrives byte for byte on a filesystem with room, which e2fsck finds clean', async () => {
    const { osVolumeUri, output } = await goodDeploy(await planFor('big upload', script('/dev/sda2')));
    const printed = /([0-9a-f]{64})\s+big/.exec(output)?.[1];
    expect(printed, output).toBeDefined();
    const root = await rootPartitionOf(osVolumeUri, 'big');
    fsckClean(root);
    const copy = join(work, 'big.copy');
    execFileSync('debugfs', ['-R', `dump /big ${copy}`, root], { stdio: 'ignore' });
    const data = await readFile(copy);
    expect(data.length).toBe(100 * MiB);
    expect(sha256(data)).toBe(printed);
    await rm(copy);
    await rm(root);
  }, HOST_TIMEOUT_MS + 30_000);

  it('fails with "No space left on device" on a filesystem too small for it', async () => {
    const { message } = await failedDeploy(await planFor('big upload, small disk', script('/dev/sda1')));
    expect(message).toMatch(/\(plan script "big upload, small disk", line 3: upload big \/big\): .*No space left on device/);
  }, HOST_TIMEOUT_MS + 30_000);
});

describe('paths escaping the guest or the scratch directory', () => {
  it('a host file outside the scratch directory cannot be uploaded', async () => {
    const { message } = await failedDeploy(await planFor('upload passwd', 'mount /dev/sda2 /\nupload ../../etc/passwd /x\n'));
    expect(message).toMatch(/line 2: upload \.\.\/\.\.\/etc\/passwd \/x\): upload: \.\.\/\.\.\/etc\/passwd: host files must stay inside the run's scratch directory/);
  });

  it('nothing is written outside the scratch directory by download, copy-out or through a symlink', async () => {
    const evil = `evil-${randomBytes(4).toString('hex')}`;
    const lines = [
      'mount /dev/sda2 /',
      `-download /etc/hostname ${outside}/${evil}`,
      `-download /etc/hostname ../${evil}`,
      `-download /etc/hostname ../../${evil}`,
      `-download /etc/hostname /tmp/${evil}`,
      `-copy-out /etc ${outside}`,
      `-copy-out /etc ../..`,
      // a link made by a host command must not lead the engine out either
      `!ln -s ${outside} link && mkdir out && ln -s ${outside} out/etc`,
      `-download /etc/hostname link/${evil}`,
      '-copy-out /etc link',
      '-copy-out /etc out',
      'write /etc/done yes',
    ];
    const { osVolumeUri, output } = await goodDeploy(await planFor('escapes', lines.join('\n')));
    expect(readdirSync(outside)).toEqual([]);
    expect(output.match(/host files must stay inside the run's scratch directory/g)?.length, output).toBeGreaterThanOrEqual(9);
    expect(scratchLeft()).toEqual([]);
    expect(readdirSync(work).filter((n) => n.startsWith('evil'))).toEqual([]);
    expect(existsSync(`/tmp/${evil}`)).toBe(false);
    const root = await rootPartitionOf(osVolumeUri, 'escapes');
    expect(guestFile(root, '/etc/done').toString()).toBe('yes');
  });

  it('guest paths with ".." stay inside the guest', async () => {
    const name = `streamer-guest-${randomBytes(4).toString('hex')}`;
    const paths = [`/../../../tmp/${name}`, `/../../${name}-dir`, `/../../../etc/${name}`];
    const script = `mount /dev/sda2 /\n-write ${paths[0]} inside\n-mkdir-p ${paths[1]}\n-upload -<<END ${paths[2]}\nhere\nEND\n`;
    const { osVolumeUri } = await goodDeploy(await planFor('dot-dot', script));
    for (const host of [`/tmp/${name}`, `/${name}-dir`, `/etc/${name}`]) expect(existsSync(host), host).toBe(false);
    const root = await rootPartitionOf(osVolumeUri, 'dotdot');
    fsckClean(root);
    // Each lands where guestfish puts it: its daemon chroots, so "/.." is the guest's root.
    expect([guestLs(root, '/tmp').includes(name), guestLs(root, '/').includes(`${name}-dir`), guestLs(root, '/etc').includes(name)]).toEqual([true, true, true]);
    expect(guestFile(root, `/tmp/${name}`).toString()).toBe('inside');
  });

  it('a host command cannot see the data directory', async () => {
    // Readable by anyone here, so that only the sandbox's covering hides it.
    const dataDir = join(work, 'data');
    await chmod(work, 0o755);
    await chmod(dataDir, 0o755);
    expect(existsSync(join(dataDir, 'streamer.db'))).toBe(true);
    const { output } = await goodDeploy(await planFor('peek', `mount /dev/sda2 /\n!test -e ${dataDir}/streamer.db && echo data-visible || echo data-hidden\n`));
    expect(output).toContain('data-hidden');
  });
});

describe('a host command that never ends', () => {
  it('is killed at the time limit and the error says so', async () => {
    const marker = 100_000 + Math.floor(Math.random() * 800_000);
    const { message } = await failedDeploy(await planFor('forever', `mount /dev/sda2 /\n!sleep ${marker}\nwrite /etc/after y\n`));
    expect(message).toMatch(new RegExp(`line 2: !sleep ${marker}\\): Host command ran longer than ${HOST_TIMEOUT_MS / 1000} s and was killed`));
    expect(execFileSync('ps', ['-eo', 'args']).toString()).not.toContain(`sleep ${marker}`);
  }, HOST_TIMEOUT_MS + 20_000);
});

describe('after all of that', () => {
  it('the server still deploys, and the golden image is still the one imported', async () => {
    const { osVolumeUri } = await goodDeploy(await planFor('good', 'mount /dev/sda2 /\nupload -<<END /etc/hostname\nweb-01\nEND\n'));
    const root = await rootPartitionOf(osVolumeUri, 'good');
    fsckClean(root);
    expect(guestFile(root, '/etc/hostname').toString()).toBe('web-01\n');
    expect(await goldenContentSha()).toBe(goldenSha);
  });
});
