// Dry run (issue 4): what a server would get from a deployment plan, before deploying it.
import { previewDeployment, type PreviewParts } from '../../deploy/preview.js';
import { json, type ApiRouter } from '../router.js';

export function registerPreviewRoutes(api: ApiRouter, parts: PreviewParts): void {
  api.add({
    method: 'post', path: '/rest/deployment-plans/:id/preview', tag: 'Deployment plans', access: { area: 'profiles', action: 'read' },
    summary: 'Run the plan on a throw-away clone with the given values ({osCustomAttributes}); answers the log and every file that would change, with text diffs',
    returns: '{ ok, failure?, log, changes: [{path, change, details, diff?, sizeBytes}] }',
    handler: async (r) => json(await previewDeployment(parts, r.param('id'), await r.json(), r.context.req.raw.signal)),
  });
}
