// Plan scripts, build plans and deployment plans (reference §3, §4.1–4.3).
import type { BuildPlans } from '../../artifacts/build-plans.js';
import type { DeploymentPlans } from '../../artifacts/deployment-plans.js';
import { buildPlanInput, deploymentPlanInput, planScriptInput, type PlanScripts } from '../../artifacts/index.js';
import { maskAttributes, unmaskAttributes, type CustomAttribute } from '../../attributes/index.js';
import { invalid } from '../../core/errors.js';
import { scriptSyntaxProblems } from '../../planscript/index.js';
import type { TaskEngine } from '../../tasks/index.js';
import { json, type ApiRouter } from '../router.js';
import { checkIfMatch, collection, mutated } from './respond.js';

export interface ArtifactServices {
  planScripts: PlanScripts;
  buildPlans: BuildPlans;
  deploymentPlans: DeploymentPlans;
  tasks: TaskEngine;
}

/** Password values never leave the appliance: they read as PASSWORD_MASK. */
function masked<T extends { customAttributes: CustomAttribute[] }>(resource: T): T {
  return { ...resource, customAttributes: maskAttributes(resource.customAttributes) };
}

/** A client that GETs then PUTs sends masked passwords back: those keep their stored values. */
function unmasked(body: unknown, stored: { customAttributes: CustomAttribute[] }): unknown {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { customAttributes?: unknown }).customAttributes)) return body;
  const incoming = (body as { customAttributes: unknown[] }).customAttributes;
  if (!incoming.every((a) => typeof a === 'object' && a !== null)) return body;
  return { ...body, customAttributes: unmaskAttributes(incoming as CustomAttribute[], stored.customAttributes) };
}

/**
 * Refuses plan-script content that cannot run at all (a line that does not parse, a here-document never
 * closed) with 400 `PLANSCRIPT_SYNTAX` whose data lists every problem with its line and column.
 */
function checkScriptSyntax(body: unknown): unknown {
  const content = typeof body === 'object' && body !== null ? (body as { content?: unknown }).content : undefined;
  if (typeof content !== 'string') return body;
  const problems = scriptSyntaxProblems(content);
  const first = problems[0];
  if (first === undefined) return body;
  throw invalid('PLANSCRIPT_SYNTAX', `Cannot save the plan script: ${first.message} (line ${first.line}, column ${first.column})`, {
    details: problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message}`).join('\n'),
    data: { line: first.line, column: first.column, problems: problems.map(({ line, column, message }) => ({ line, column, message })) },
    recommendedActions: ['Correct the lines named in the details'],
  });
}

const read = { area: 'artifacts', action: 'read' } as const;
const write = { area: 'artifacts', action: 'write' } as const;

export function registerArtifactRoutes(api: ApiRouter, s: ArtifactServices): void {
  // Plan scripts. Literal sub-paths are registered before `/:id`.
  api.add({
    method: 'post', path: '/rest/plan-scripts/differences/:id', tag: 'Plan scripts', access: read,
    summary: 'Compare plan script content with the stored script', body: planScriptInput.shape.content, returns: '{ differences: [{kind, line, text}] }',
    handler: async (r) => json(await s.planScripts.differences(r.param('id'), await r.json())),
  });
  api.add({
    method: 'get', path: '/rest/plan-scripts/:id/usedby/readonly', tag: 'Plan scripts', access: read,
    summary: 'List the build plans that use a plan script', returns: 'Array of {id, name, uri, hpProvided}',
    handler: async (r) => json(await s.planScripts.usedBy(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/plan-scripts', tag: 'Plan scripts', access: read, summary: 'List plan scripts',
    query: { start: 'First member', count: 'Members per page (-1: all)', filter: "Filter, e.g. \"name='X'\" (repeatable)", sort: 'e.g. name:asc' },
    returns: 'PlanScriptCollection',
    handler: async (r) => collection(r, await s.planScripts.list(), { category: 'plan-scripts', type: 'PlanScriptCollection' }),
  });
  api.add({
    method: 'post', path: '/rest/plan-scripts', tag: 'Plan scripts', access: write, summary: 'Create a plan script', body: planScriptInput, returns: 'task',
    handler: async (r) => mutated(r, s.tasks, 'Create', await s.planScripts.create(checkScriptSyntax(await r.json()))),
  });
  api.add({
    method: 'get', path: '/rest/plan-scripts/:id', tag: 'Plan scripts', access: read, summary: 'Get a plan script', returns: 'PlanScript',
    handler: async (r) => json(await s.planScripts.get(r.param('id'))),
  });
  api.add({
    method: 'put', path: '/rest/plan-scripts/:id', tag: 'Plan scripts', access: write, summary: 'Update a plan script', body: planScriptInput.partial(), returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.planScripts.get(r.param('id')));
      return mutated(r, s.tasks, 'Update', await s.planScripts.update(r.param('id'), checkScriptSyntax(await r.json())));
    },
  });
  api.add({
    method: 'delete', path: '/rest/plan-scripts/:id', tag: 'Plan scripts', access: write, summary: 'Delete a plan script',
    query: { force: 'true: also remove the script from the build plans that use it' }, returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.planScripts.get(r.param('id')));
      return mutated(r, s.tasks, 'Delete', await s.planScripts.delete(r.param('id'), { force: r.force }));
    },
  });

  // Build plans.
  api.add({
    method: 'get', path: '/rest/build-plans', tag: 'Build plans', access: read, summary: 'List OS build plans', returns: 'OeBuildPlanCollection',
    query: { filter: 'e.g. oeBuildPlanType=capture', sort: 'e.g. name:asc', start: 'First member', count: 'Members per page' },
    handler: async (r) => collection(r, (await s.buildPlans.list()).map(masked), { category: 'build-plans', type: 'OeBuildPlanCollectionV5' }),
  });
  api.add({
    method: 'post', path: '/rest/build-plans', tag: 'Build plans', access: write, summary: 'Create an OS build plan', body: buildPlanInput, returns: 'task',
    handler: async (r) => mutated(r, s.tasks, 'Create', await s.buildPlans.create(await r.json())),
  });
  api.add({
    method: 'get', path: '/rest/build-plans/:id', tag: 'Build plans', access: read, summary: 'Get an OS build plan', returns: 'OeBuildPlan',
    handler: async (r) => json(masked(await s.buildPlans.get(r.param('id')))),
  });
  api.add({
    method: 'put', path: '/rest/build-plans/:id', tag: 'Build plans', access: write, summary: 'Update an OS build plan', body: buildPlanInput.partial(), returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.buildPlans.get(r.param('id')));
      const body = unmasked(await r.json(), await s.buildPlans.get(r.param('id')));
      return mutated(r, s.tasks, 'Update', await s.buildPlans.update(r.param('id'), body));
    },
  });
  api.add({
    method: 'delete', path: '/rest/build-plans/:id', tag: 'Build plans', access: write, summary: 'Delete an OS build plan',
    query: { force: 'true: also delete the deployment plans that use it' }, returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.buildPlans.get(r.param('id')));
      return mutated(r, s.tasks, 'Delete', await s.buildPlans.delete(r.param('id'), { force: r.force }));
    },
  });

  // Deployment plans.
  api.add({
    method: 'get', path: '/rest/deployment-plans/:id/usedby', tag: 'Deployment plans', access: read,
    summary: 'List the server profiles and templates that use a deployment plan', returns: '{ serverProfiles, serverProfileTemplates }',
    handler: async (r) => json(await s.deploymentPlans.usedBy(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/deployment-plans', tag: 'Deployment plans', access: read, summary: 'List deployment plans', returns: 'OEDeploymentPlanCollection',
    query: { filter: "e.g. \"name='X'\"", sort: 'e.g. name:asc', start: 'First member', count: 'Members per page' },
    handler: async (r) => collection(r, (await s.deploymentPlans.list()).map(masked), { category: 'deployment-plans', type: 'OEDeploymentPlanCollectionV5' }),
  });
  api.add({
    method: 'post', path: '/rest/deployment-plans', tag: 'Deployment plans', access: write, summary: 'Create a deployment plan', body: deploymentPlanInput, returns: 'task',
    handler: async (r) => mutated(r, s.tasks, 'Create', await s.deploymentPlans.create(await r.json())),
  });
  api.add({
    method: 'get', path: '/rest/deployment-plans/:id', tag: 'Deployment plans', access: read, summary: 'Get a deployment plan', returns: 'OEDeploymentPlan',
    handler: async (r) => json(masked(await s.deploymentPlans.get(r.param('id')))),
  });
  api.add({
    method: 'put', path: '/rest/deployment-plans/:id', tag: 'Deployment plans', access: write, summary: 'Update a deployment plan', body: deploymentPlanInput.partial(), returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.deploymentPlans.get(r.param('id')));
      const body = unmasked(await r.json(), await s.deploymentPlans.get(r.param('id')));
      return mutated(r, s.tasks, 'Update', await s.deploymentPlans.update(r.param('id'), body));
    },
  });
  api.add({
    method: 'delete', path: '/rest/deployment-plans/:id', tag: 'Deployment plans', access: write, summary: 'Delete a deployment plan',
    query: { force: 'true: delete even when server profiles use it' }, returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.deploymentPlans.get(r.param('id')));
      return mutated(r, s.tasks, 'Delete', await s.deploymentPlans.delete(r.param('id'), { force: r.force }));
    },
  });
}
