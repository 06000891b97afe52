// Per-resource shortcuts for create/update, so the common bodies need no JSON file: a plan script from a
// text file, a build plan's steps by plan-script name, a deployment plan's build plan and golden image by name.
import type { Command } from 'commander';
import { readTextFile } from '../body-input.js';
import type { ApiClient } from '../client.js';
import type { CliIo } from '../io.js';
import { resolveMember } from '../resolve.js';
import { resources, type Member, type ResourceSpec } from '../resources.js';

export interface Shortcut {
  options(command: Command, context?: { update: boolean }): void;
  body(opts: Record<string, unknown>, context: { io: CliIo; client: ApiClient }): Promise<Member>;
  /** Adjusts an update's whole-object body against the current resource before the PUT. */
  beforeUpdate?(body: Member, current: Member): void;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const spec = (name: string): ResourceSpec => resources.find((r) => r.name === name) as ResourceSpec;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const createShortcuts: Record<string, Shortcut> = {
  'plan-scripts': {
    options(command) {
      command.option('--type <planType>', 'deploy, capture or general').option('--content-file <file>', 'the script text ("-" reads stdin)');
    },
    async body(opts, { io }) {
      const body: Member = {};
      if (str(opts['type']) !== undefined) body['planType'] = opts['type'];
      const file = str(opts['contentFile']);
      if (file !== undefined) body['content'] = await readTextFile(io, file, 'script file');
      return body;
    },
  },
  'build-plans': {
    options(command) {
      command
        .option('--type <oeBuildPlanType>', 'deploy or capture')
        .option('--step <planScript>', 'a plan script (name, id or URI) run as the next step (repeatable; on update, replaces the steps)', collect);
    },
    async body(opts, { client }) {
      const body: Member = {};
      if (str(opts['type']) !== undefined) body['oeBuildPlanType'] = opts['type'];
      const steps = opts['step'] as string[] | undefined;
      if (steps !== undefined) {
        const scripts = [];
        for (const ref of steps) scripts.push(await resolveMember(client, spec('plan-scripts'), ref));
        body['buildStep'] = scripts.map((s, i) => ({ serialNumber: String(i + 1), planScriptUri: s['uri'], planScriptName: s['name'], parameters: null }));
      }
      return body;
    },
  },
  'deployment-plans': {
    options(command) {
      command.option('--build-plan <ref>', 'the OS build plan (name, id or URI)').option('--golden-image <ref>', 'the golden image (name, id or URI; "" for none)');
    },
    async body(opts, { client }) {
      const body: Member = {};
      const plan = str(opts['buildPlan']);
      if (plan !== undefined) body['oeBuildPlanURI'] = (await resolveMember(client, spec('build-plans'), plan))['uri'];
      const image = str(opts['goldenImage']);
      if (image !== undefined) body['goldenImageURI'] = image === '' ? null : (await resolveMember(client, spec('golden-images'), image))['uri'];
      return body;
    },
  },
  users: {
    options(command) {
      command.option('--password <password>', 'the password').option('--role <role>', 'e.g. "Software administrator", "Read only"');
    },
    body(opts) {
      const body: Member = {};
      if (str(opts['password']) !== undefined) body['password'] = opts['password'];
      if (str(opts['role']) !== undefined) body['role'] = opts['role'];
      return Promise.resolve(body);
    },
    beforeUpdate(body, current) {
      // The server refuses role/enablement fields from a non-administrator even when unchanged: send them only when they change.
      for (const key of ['role', 'enabled', 'permissions']) {
        if (JSON.stringify(body[key]) === JSON.stringify(current[key])) delete body[key];
      }
    },
  },
};
