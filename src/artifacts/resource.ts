// The resource envelope every artifact carries (reference §2.3) and input coercions shared by artifacts.
import { z } from 'zod';
import { invalid } from '../core/errors.js';
import type { StoredDocument } from '../db/index.js';

export interface Envelope {
  type: string;
  uri: string;
  id: string;
  name: string;
  eTag: string;
  created: string;
  modified: string;
  category: string;
  state: string;
  status: string;
}

export function envelope(stored: StoredDocument<unknown>, options: { type: string; category: string; state?: string; status?: string }): Envelope {
  return {
    type: options.type,
    uri: `/rest/${options.category}/${stored.id}`,
    id: stored.id,
    name: stored.name,
    eTag: `${Date.parse(stored.modified)}/${stored.version}`,
    created: stored.created,
    modified: stored.modified,
    category: options.category,
    state: options.state ?? 'Normal',
    status: options.status ?? 'OK',
  };
}

/** A boolean that clients may send as "true"/"false" strings (any case); output is always a real boolean. */
export const looseBoolean = z
  .union([z.boolean(), z.string().regex(/^(true|false)$/i, 'must be true or false')])
  .transform((v) => (typeof v === 'boolean' ? v : v.toLowerCase() === 'true'));

export const resourceName = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/** Parses `input` with `schema`, or fails with one invalid AppError listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, action: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the body';
    return `${field} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
  });
  throw invalid('INVALID_INPUT', `Cannot ${action}: ${problems.join('; ')}`, {
    details: problems.join('\n'),
    recommendedActions: ['Correct the listed fields and send the request again'],
    data: { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

/** The id at the end of `/rest/<category>/<id>` (or a bare id); undefined for another category. */
export function idFromUri(uri: string, category: string): string | undefined {
  const trimmed = uri.trim().replace(/^https?:\/\/[^/]+/i, '').replace(/\/+$/, '');
  const prefix = `/rest/${category}/`;
  if (trimmed.startsWith(prefix)) {
    const id = trimmed.slice(prefix.length);
    return id.length > 0 && !id.includes('/') ? id : undefined;
  }
  return trimmed.startsWith('/') ? undefined : trimmed;
}
