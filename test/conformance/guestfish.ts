// Runs scripts through real guestfish, many per appliance launch (a launch costs ~15 s under TCG): each
// script starts from the pristine image (uploaded onto /dev/sda between scripts), in its own local
// directory (`lcd`), and its result is downloaded to a file. guestfish stops at a script's first failing
// command, so a batch may hold at most one failing script, last; its result is the drive file itself.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from '../planscript/ext-session.js';

export interface FishScript {
  /** Attributes already substituted. */
  text: string;
}

export interface FishResult {
  /** stdout and stderr of the script as they interleaved, or undefined when guestfish never reached it. */
  log?: string;
  /** The image after the script. */
  image?: string;
}

const MARK = '::conformance-mark::';

/** guestfish with the backend this machine needs; a host with working KVM runs without force_tcg. */
export function guestfishEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  if (process.env.STREAMER_GUESTFISH_KVM !== '1') env.LIBGUESTFS_BACKEND_SETTINGS = 'force_tcg';
  return env;
}

/** Runs `scripts` in order on copies of `pristine`; `dir` receives work files and results. */
export async function runGuestfishBatch(pristine: string, scripts: readonly FishScript[], dir: string): Promise<FishResult[]> {
  requireTool('guestfish', 'libguestfs-tools (and linux-image-amd64 for its appliance)');
  requireTool('stdbuf', 'coreutils');
  mkdirSync(dir, { recursive: true });
  const work = join(dir, 'work.img');
  copyFileSync(pristine, work);
  const input: string[] = ['run'];
  scripts.forEach((script, i) => {
    const local = join(dir, `s${i}`);
    mkdirSync(local, { recursive: true });
    input.push(`echo "${MARK}${i}"`, `lcd ${local}`, script.text.replace(/\n?$/, '\n'));
    if (i < scripts.length - 1) input.push('umount-all', `download /dev/sda ${join(dir, `r${i}.img`)}`, `upload ${pristine} /dev/sda`);
  });
  input.push(`echo "${MARK}end"`, 'umount-all');
  const output = await new Promise<string>((resolve, reject) => {
    // guestfish runs host commands with /bin/sh; HPE's appliance (and our engine) use bash, which scripts
    // rely on (`!source`): in a private mount namespace /bin/sh is bash for this guestfish.
    // stderr into stdout's pipe: two pipes read by this process interleave as they are read, not as written
    // (under load an error line overtook a host command's output written before it)
    const command = 'mount --bind /bin/bash /bin/sh && exec stdbuf -oL -eL guestfish -a "$0" 2>&1';
    const child = spawn('unshare', ['--mount', '--propagation', 'private', '/bin/bash', '-c', command, work], { env: guestfishEnv(), cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    child.stdin.end(input.join('\n') + '\n');
  });
  const results: FishResult[] = scripts.map(() => ({}));
  const parts = output.split(new RegExp(`^${MARK}`, 'm'));
  if (!parts[0]!.split('\n').every((l) => l.trim() === '')) throw new Error(`guestfish failed before the first script:\n${parts[0]}`);
  for (const part of parts.slice(1)) {
    const newline = part.indexOf('\n');
    const id = part.slice(0, newline);
    if (id === 'end') break;
    const i = Number(id);
    // guestfish names the input line of each error (`*stdin*:12: `): the engine's log does not
    results[i] = { log: part.slice(newline + 1).replace(/^\*stdin\*:\d+: /gm, ''), image: i < scripts.length - 1 ? join(dir, `r${i}.img`) : work };
  }
  // a failing script ends guestfish: the scripts after it never ran, and its own state is the drive file
  const reached = parts.length - 2;
  if (!output.includes(`${MARK}end`) && reached >= 0 && reached < scripts.length) results[reached] = { ...results[reached], image: work };
  return results;
}
