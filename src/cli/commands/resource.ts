// `streamer <resource> list|get|create|update|delete`: the same five verbs for every collection of
// resources.ts; creation shortcuts per resource live in create-options.ts.
import type { Command } from 'commander';
import { AppError, isAppError } from '../../core/errors.js';
import { bodyFrom } from '../body-input.js';
import type { CliIo } from '../io.js';
import { print } from '../io.js';
import { printJson, renderResource, renderTable } from '../output.js';
import { resolveMember } from '../resolve.js';
import type { Member, ResourceSpec } from '../resources.js';
import { connect, mutate, type MutationResult } from '../session.js';
import { createShortcuts } from './create-options.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface OutputOptions {
  json?: boolean;
}
interface WaitOptions extends OutputOptions {
  wait: boolean;
}
interface BodyFlags extends WaitOptions {
  file?: string;
  set?: string[];
}

function label(spec: ResourceSpec, member: Member | undefined, fallback: string): string {
  const named = member?.[spec.nameField ?? 'id'];
  return typeof named === 'string' ? named : fallback;
}

export function report(io: CliIo, spec: ResourceSpec, verb: string, result: MutationResult, opts: WaitOptions, fallbackName: string): void {
  if (!opts.wait && result.task !== undefined) {
    if (opts.json === true) printJson(io, result.task);
    else print(io, result.task.uri);
    return;
  }
  if (opts.json === true) {
    printJson(io, result.resource ?? result.task);
    return;
  }
  print(io, `${verb} ${spec.singular} "${label(spec, result.resource, fallbackName)}"${result.task?.taskState === 'Warning' ? ` with a warning: ${result.task.taskStatus}` : ''}`);
  if (result.resource !== undefined) print(io, renderTable(spec.columns, [result.resource]));
}

export function registerResource(program: Command, io: CliIo, spec: ResourceSpec): Command {
  const group = program.command(spec.name).description(`${spec.readOnly === true ? 'List and show' : 'Manage'} ${spec.singular}s (${spec.path})`);
  if (spec.alias !== undefined) group.alias(spec.alias);
  const refHelp = spec.nameField === null ? 'ID|URI' : `${spec.nameField === 'name' ? 'NAME' : spec.nameField.toUpperCase()}|ID`;

  group
    .command('list')
    .description(`List ${spec.singular}s`)
    .option('--filter <expr>', "filter, e.g. \"name='X'\", \"name matches 'web%'\", planType=deploy (repeatable; ANDed)", collect)
    .option('--sort <field:dir>', 'sort, e.g. name:asc, modified:desc')
    .option('--count <n>', 'at most n members (the first page)')
    .option('--json', 'print the raw collection JSON')
    .action(async (opts: OutputOptions & { filter?: string[]; sort?: string; count?: string }) => {
      if (opts.count !== undefined && !/^\d+$/.test(opts.count)) throw new AppError('invalid', 'CLI_USAGE', `Cannot list: "--count ${opts.count}" is not a whole number`);
      const client = await connect(io);
      const page = await client.call<{ members?: Member[] }>('GET', spec.path, {
        query: { filter: opts.filter, sort: opts.sort, count: opts.count },
        action: `list ${spec.singular}s`,
      });
      if (opts.json === true) printJson(io, page);
      else print(io, renderTable(spec.columns, page.members ?? []));
    });

  group
    .command('get')
    .description(`Show one ${spec.singular}`)
    .argument(`<ref>`, refHelp)
    .option('--json', 'print the raw JSON')
    .action(async (ref: string, opts: OutputOptions) => {
      const member = await resolveMember(await connect(io), spec, ref);
      if (opts.json === true) printJson(io, member);
      else print(io, renderResource(member));
    });

  if (spec.readOnly === true) return group;
  const shortcuts = createShortcuts[spec.name];

  const create = group
    .command('create')
    .description(`Create a ${spec.singular} from a JSON file and/or key=value settings`)
    .option('--file <file.json>', 'the body as a JSON object ("-" reads stdin)')
    .option('--set <key=value>', 'set a field (dotted keys nest; JSON values allowed), applied after --file (repeatable)', collect)
    .option('--name <name>', 'the name')
    .option('--description <text>', 'the description');
  shortcuts?.options(create);
  create
    .option('--no-wait', 'print the task URI instead of waiting for the task')
    .option('--json', 'print the created resource (or the task, with --no-wait) as JSON')
    .action(async (opts: BodyFlags & Record<string, unknown>) => {
      const client = await connect(io);
      const base: Member = {};
      if (typeof opts['name'] === 'string') base[spec.nameField ?? 'name'] = opts['name'];
      if (typeof opts['description'] === 'string') base['description'] = opts['description'];
      if (shortcuts !== undefined) Object.assign(base, await shortcuts.body(opts, { io, client }));
      const body = await bodyFrom(io, opts, base);
      const name = label(spec, body, '');
      const result = await mutate(client, { method: 'POST', path: spec.path, body, action: `create ${spec.singular} "${name}"`, wait: opts.wait, io });
      report(io, spec, 'Created', result, opts, name);
    });

  const update = group
    .command('update')
    .description(`Change a ${spec.singular}: its current JSON with the file's fields and the settings applied, sent with If-Match`)
    .argument('<ref>', refHelp)
    .option('--file <file.json>', 'fields to change, as a JSON object ("-" reads stdin)')
    .option('--set <key=value>', 'set a field (repeatable)', collect)
    .option('--description <text>', 'the description');
  shortcuts?.options(update, { update: true });
  update
    .option('--no-wait', 'print the task URI instead of waiting for the task')
    .option('--json', 'print the updated resource as JSON')
    .action(async (ref: string, opts: BodyFlags & Record<string, unknown>) => {
      const client = await connect(io);
      const current = await resolveMember(client, spec, ref);
      const base: Member = { ...current };
      if (typeof opts['description'] === 'string') base['description'] = opts['description'];
      if (shortcuts !== undefined) Object.assign(base, await shortcuts.body(opts, { io, client }));
      const body = await bodyFrom(io, opts, base);
      shortcuts?.beforeUpdate?.(body, current);
      const uri = String(current['uri']);
      const eTag = current['eTag'];
      const name = label(spec, current, ref);
      const result = await mutate(client, {
        method: 'PUT', path: uri, body, wait: opts.wait, io, action: `update ${spec.singular} "${name}"`,
        ...(typeof eTag === 'string' && eTag !== '' ? { headers: { 'if-match': eTag } } : {}),
      });
      report(io, spec, 'Updated', result, opts, name);
    });

  group
    .command('delete')
    .description(`Delete a ${spec.singular}`)
    .argument('<ref>', refHelp)
    .option('--force', 'delete even when other resources use it')
    .option('--no-wait', 'print the task URI instead of waiting for the task')
    .option('--json', 'print the finished task as JSON')
    .action(async (ref: string, opts: WaitOptions & { force?: boolean }) => {
      const client = await connect(io);
      const current = await resolveMember(client, spec, ref);
      const name = label(spec, current, ref);
      const result = await mutate(client, {
        method: 'DELETE', path: String(current['uri']), wait: opts.wait, io, action: `delete ${spec.singular} "${name}"`,
        ...(opts.force === true ? { query: { force: 'true' } } : {}),
      }).catch((error: unknown) => {
        if (isAppError(error) && error.kind === 'conflict' && opts.force !== true) error.recommendedActions.push(`Or delete it anyway: "streamer ${spec.name} delete ${JSON.stringify(ref)} --force"`);
        throw error;
      });
      if (opts.json === true || !opts.wait) report(io, spec, 'Deleted', result, opts, name);
      else print(io, `Deleted ${spec.singular} "${name}"`);
    });
  return group;
}
