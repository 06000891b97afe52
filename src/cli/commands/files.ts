// File verbs beside the generic ones: upload and download golden images and artifact bundles, extract
// a bundle, read the creation/deployment log and the storage details (bytes held, NBD export) of a golden
// image or OS volume.
import type { Command } from 'commander';
import { resolve as resolvePath } from 'node:path';
import { errorFromReply } from '../client.js';
import { print, type CliIo } from '../io.js';
import { printJson, renderResource } from '../output.js';
import { resolveMember } from '../resolve.js';
import type { Member, ResourceSpec } from '../resources.js';
import { connect, follow, mutate } from '../session.js';
import { downloadFile, uploadFile } from '../transfer.js';
import { registerDeploymentPlanPreview } from './deployment-plan-preview.js';
import { registerGoldenImageImport } from './golden-image-import.js';
import { report } from './resource.js';

interface Transfer {
  /** Download path prefix; the member's id is appended. */
  download?: string;
  /** Log (archive) path prefix; the member's id is appended. */
  log?: string;
  upload?: boolean;
  extract?: boolean;
  /** Has `GET <uri>/storage`: bytes held and the NBD export. */
  storage?: boolean;
}

const transfers: Record<string, Transfer> = {
  'golden-images': { download: '/rest/golden-images/download/', log: '/rest/golden-images/archive/', upload: true, storage: true },
  'artifact-bundles': { download: '/rest/artifact-bundles/download/', upload: true, extract: true },
  'os-volumes': { log: '/rest/os-volumes/archive/', storage: true },
};

const zipName = (member: Member): string => `${String(member['name'] ?? member['id']).replace(/[^\w.-]+/g, '_')}.zip`;
const imageName = (file: string): string => file.replace(/^.*[\\/]/, '').replace(/\.(zip|gz|raw|img|qcow2|vmdk|vhdx|vdi)$/i, '');

/** `server-hardware console NAME [--follow]` and `server-hardware power NAME on|off|reset`. */
function registerHardwareVerbs(group: Command, io: CliIo, spec: ResourceSpec): void {
  group
    .command('console')
    .description('Print the serial console of a compute module (qemu modules show the guest\'s output)')
    .argument('<ref>', 'NAME|ID')
    .option('-f, --follow', 'keep printing new output until interrupted')
    .action(async (ref: string, opts: { follow?: boolean }) => {
      const client = await connect(io);
      const member = await resolveMember(client, spec, ref);
      const path = `${String(member['uri'])}/console`;
      let shown = '';
      for (;;) {
        const text = await client.call<unknown>('GET', path, { action: `read the console of ${spec.singular} "${ref}"` });
        const now = typeof text === 'string' ? text : '';
        // The appliance keeps the most recent output: print what is new since the last read.
        const fresh = now.startsWith(shown) ? now.slice(shown.length) : now;
        if (fresh !== '') io.stdout.write(fresh);
        shown = now;
        if (opts.follow !== true) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
  group
    .command('power')
    .description('Power a compute module on, off (graceful), off --force, or reset')
    .argument('<ref>', 'NAME|ID')
    .argument('<state>', 'on | off | reset')
    .option('--force', 'off: press and hold (immediate)')
    .action(async (ref: string, state: string, opts: { force?: boolean }) => {
      const wanted = state.toLowerCase();
      if (!['on', 'off', 'reset'].includes(wanted)) throw new Error(`Cannot change the power of "${ref}": "${state}" is not on, off or reset`);
      const client = await connect(io);
      const member = await resolveMember(client, spec, ref);
      const body = wanted === 'reset' ? { powerState: 'On', powerControl: 'Reset' } : { powerState: wanted === 'on' ? 'On' : 'Off', powerControl: opts.force === true ? 'PressAndHold' : 'MomentaryPress' };
      await mutate(client, { method: 'PUT', path: `${String(member['uri'])}/powerState`, body, wait: true, io, action: `power ${wanted} ${spec.singular} "${ref}"` });
      const after = await client.call<Member>('GET', String(member['uri']), { action: `read ${spec.singular} "${ref}"` });
      print(io, `${spec.singular} "${String(member['name'])}" is ${String(after['powerState']).toLowerCase()}`);
    });
}

/** The deployment group a backup is for: by name or id, else the appliance's only (default) group. */
async function deploymentGroupUri(client: Awaited<ReturnType<typeof connect>>, ref: string | undefined): Promise<string> {
  const groups = (await client.call<{ members: Member[] }>('GET', '/rest/deployment-groups', { action: 'list deployment groups' })).members;
  const found = ref === undefined ? groups[0] : groups.find((g) => g['name'] === ref || g['id'] === ref);
  if (found === undefined) throw new Error(ref === undefined ? 'Cannot back up: the appliance has no deployment group' : `Cannot find deployment group "${ref}"`);
  return String(found['uri']);
}

/** `artifact-bundles backup|restore|download-backup`: the appliance's one backup of a deployment group. */
function registerBackupVerbs(group: Command, io: CliIo): void {
  group
    .command('backup')
    .description('Back up every artifact of a deployment group (replaces the previous backup)')
    .option('--group <ref>', 'deployment group NAME|ID (default: the appliance\'s group)')
    .action(async (opts: { group?: string }) => {
      const client = await connect(io);
      const result = await mutate(client, { method: 'POST', path: '/rest/artifact-bundles/backups', body: { deploymentGroupURI: await deploymentGroupUri(client, opts.group) }, wait: true, io, action: 'back up the artifacts' });
      print(io, `Backed up: ${String(result.task?.['taskStatus'] ?? result.task?.['taskState'] ?? 'done')}`);
    });
  group
    .command('restore')
    .description('Restore the current backup (artifacts with the same ids are overwritten)')
    .option('--group <ref>', 'deployment group NAME|ID (default: the appliance\'s group)')
    .action(async (opts: { group?: string }) => {
      const client = await connect(io);
      const backups = (await client.call<{ members: Member[] }>('GET', '/rest/artifact-bundles/backups', { action: 'list backups' })).members;
      const backup = backups[0];
      if (backup === undefined) throw new Error('Cannot restore: the appliance has no backup (make one with "streamer artifact-bundles backup")');
      const result = await mutate(client, { method: 'PUT', path: `/rest/artifact-bundles/backups/${String(backup['id'])}`, body: { deploymentGroupURI: await deploymentGroupUri(client, opts.group) }, wait: true, io, action: 'restore the backup' });
      print(io, `Restored backup "${String(backup['name'])}": ${String(result.task?.['taskState'] ?? 'done')}`);
    });
  group
    .command('download-backup')
    .description('Download the current backup zip')
    .option('-o, --output <file>', 'where to write it (default: <backup name>.zip)')
    .action(async (opts: { output?: string }) => {
      const client = await connect(io);
      const backup = (await client.call<{ members: Member[] }>('GET', '/rest/artifact-bundles/backups', { action: 'list backups' })).members[0];
      if (backup === undefined) throw new Error('Cannot download the backup: the appliance has none');
      const dest = resolvePath(opts.output ?? zipName(backup));
      const bytes = await downloadFile(client, `/rest/artifact-bundles/backups/archive/${String(backup['id'])}`, dest, 'download the backup');
      print(io, `Downloaded backup "${String(backup['name'])}" to ${dest} (${bytes} bytes)`);
    });
}

export function registerFileVerbs(group: Command, io: CliIo, spec: ResourceSpec): void {
  if (spec.name === 'server-hardware') registerHardwareVerbs(group, io, spec);
  if (spec.name === 'artifact-bundles') registerBackupVerbs(group, io);
  if (spec.name === 'golden-images') registerGoldenImageImport(group, io, spec);
  if (spec.name === 'deployment-plans') registerDeploymentPlanPreview(group, io, spec);
  const t = transfers[spec.name];
  if (t === undefined) return;
  if (t.upload === true) {
    const images = spec.name === 'golden-images';
    const upload = group
      .command('upload')
      .description(`Upload a ${spec.singular} file (streamed; any size)`)
      .argument('<file>', images ? 'HPE golden image zip, raw, qcow2, .gz …' : 'bundle zip (the bundle is named after the file)');
    if (images) upload.option('--name <name>', 'the name (default: the file name without extension)').option('--description <text>', 'the description');
    upload
      .option('--no-wait', 'print the task URI instead of waiting for the task')
      .option('--json', 'print the result as JSON')
      .action(async (file: string, opts: { name?: string; description?: string; wait: boolean; json?: boolean }) => {
        const client = await connect(io);
        const query = images ? { name: opts.name ?? imageName(file), description: opts.description } : {};
        const reply = await uploadFile(client, spec.path, { file, query });
        if (reply.status < 200 || reply.status > 299) throw errorFromReply(reply, `upload "${file}"`);
        const result = await follow(client, reply.body as Member, { wait: opts.wait, io });
        report(io, spec, 'Uploaded', result, opts, file);
      });
  }
  if (t.download !== undefined) {
    const prefix = t.download;
    group
      .command('download')
      .description(`Download a ${spec.singular} as a zip`)
      .argument('<ref>', 'NAME|ID')
      .option('-o, --output <file>', 'where to write it (default: <name>.zip in the current directory)')
      .action(async (ref: string, opts: { output?: string }) => {
        const client = await connect(io);
        const member = await resolveMember(client, spec, ref);
        const dest = resolvePath(opts.output ?? zipName(member));
        const bytes = await downloadFile(client, `${prefix}${String(member['id'])}`, dest, `download ${spec.singular} "${ref}"`);
        print(io, `Downloaded ${spec.singular} "${String(member['name'])}" to ${dest} (${bytes} bytes)`);
      });
  }
  if (t.log !== undefined) {
    const prefix = t.log;
    group
      .command('log')
      .description(`Print the ${spec.name === 'os-volumes' ? 'deployment' : 'creation or capture'} log of a ${spec.singular}`)
      .argument('<ref>', 'NAME|ID')
      .action(async (ref: string) => {
        const client = await connect(io);
        const member = await resolveMember(client, spec, ref);
        const text = await client.call<unknown>('GET', `${prefix}${String(member['id'])}`, { action: `read the log of ${spec.singular} "${ref}"` });
        print(io, typeof text === 'string' ? text : JSON.stringify(text, null, 2));
      });
  }
  if (t.storage === true) {
    group
      .command('storage')
      .description(`Show the bytes a ${spec.singular} holds and its NBD export (${spec.name === 'os-volumes' ? 'read-write' : 'read-only'})`)
      .argument('<ref>', 'NAME|ID')
      .option('--json', 'print the details as JSON')
      .action(async (ref: string, opts: { json?: boolean }) => {
        const client = await connect(io);
        const member = await resolveMember(client, spec, ref);
        const details = await client.call<Member>('GET', `${String(member['uri'])}/storage`, { action: `read the storage details of ${spec.singular} "${ref}"` });
        if (opts.json === true) printJson(io, details);
        else print(io, renderResource(details));
      });
  }
  if (t.extract === true) {
    group
      .command('extract')
      .description('Create the artifacts a bundle holds')
      .argument('<ref>', 'NAME|ID')
      .option('--force-import', 'overwrite artifacts with the same id or name')
      .option('--no-wait', 'print the task URI instead of waiting for the task')
      .option('--json', 'print the finished task as JSON')
      .action(async (ref: string, opts: { forceImport?: boolean; wait: boolean; json?: boolean }) => {
        const client = await connect(io);
        const member = await resolveMember(client, spec, ref);
        const result = await mutate(client, {
          method: 'PUT', path: String(member['uri']), wait: opts.wait, io, action: `extract ${spec.singular} "${ref}"`,
          query: { extract: 'true', ...(opts.forceImport === true ? { forceImport: 'true' } : {}) },
        });
        if (opts.json === true || !opts.wait) report(io, spec, 'Extracted', { task: result.task, resource: undefined }, opts, ref);
        else print(io, `Extracted ${spec.singular} "${String(member['name'])}": ${result.task?.taskStatus ?? 'done'}`);
      });
  }
}
