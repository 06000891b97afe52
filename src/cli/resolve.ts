// Finds one member of a collection from what the user typed: a URI, an id, or a name (looked up with
// `filter="name='X'"`, exact match preferred over the server's case-insensitive one).
import { AppError } from '../core/errors.js';
import { errorFromReply, type ApiClient } from './client.js';
import type { Member, ResourceSpec } from './resources.js';

const idShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveMember(client: ApiClient, spec: ResourceSpec, ref: string): Promise<Member> {
  if (ref.startsWith('/rest/')) return client.call<Member>('GET', ref, { action: `read "${ref}"` });
  if (spec.nameField === null || idShape.test(ref)) {
    const reply = await client.request('GET', `${spec.path}/${encodeURIComponent(ref)}`);
    if (reply.status === 200) return reply.body as Member;
    if (reply.status !== 404 || spec.nameField === null) throw errorFromReply(reply, `read ${spec.singular} "${ref}"`);
  }
  const field = spec.nameField;
  const page = await client.call<{ members?: Member[] }>('GET', spec.path, {
    query: { filter: `"${field}='${ref}'"` },
    action: `find ${spec.singular} "${ref}"`,
  });
  const members = page.members ?? [];
  // The server filter is case-insensitive and may be ignored by older servers: match here too.
  const exact = members.filter((m) => m[field] === ref);
  const loose = exact.length > 0 ? exact : members.filter((m) => typeof m[field] === 'string' && m[field].toLowerCase() === ref.toLowerCase());
  if (loose.length === 0) {
    throw new AppError('not_found', 'CLI_NOT_FOUND', `Cannot find ${spec.singular} "${ref}": no such ${field === 'name' ? 'name' : field} or id`, {
      recommendedActions: [`List them with "streamer ${spec.name} list"`],
    });
  }
  if (loose.length > 1) {
    throw new AppError('conflict', 'CLI_AMBIGUOUS', `Cannot pick ${spec.singular} "${ref}": ${loose.length} match it`, {
      recommendedActions: ['Name it by id instead'],
    });
  }
  return loose[0] as Member;
}
