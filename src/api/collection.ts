// Collections as HPE's clients page and filter them (reference §2.4): start/count (count=-1 or none =
// everything in one page), the three filter forms ANDed, sort, `total` always filled.

export interface CollectionPage<T> {
  type: string;
  category: string;
  uri: string;
  start: number;
  count: number;
  total: number;
  prevPageUri: string | null;
  nextPageUri: string | null;
  members: T[];
}

type Predicate = (member: Record<string, unknown>) => boolean;

function fieldValue(member: Record<string, unknown>, path: string): unknown {
  let value: unknown = member;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    // Field names compare case-insensitively, as OneView does.
    const actual = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
    value = actual === undefined ? undefined : record[actual];
  }
  return value;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function likePattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'is');
}

/**
 * Parses one `filter` value. Forms: `"name='X'"` (outer double quotes), `name='X'`, `name matches 'X'`
 * (`%` wildcards, case-insensitive), `field=value`, `field<>'X'`/`field!=X`. Returns undefined when the
 * expression has none of these forms (such filters are ignored, as unknown parameters are).
 */
export function parseFilter(raw: string): Predicate | undefined {
  let expression = raw.trim();
  if (expression.length >= 2 && expression.startsWith('"') && expression.endsWith('"')) expression = expression.slice(1, -1).trim();
  const unquote = (v: string) => {
    const t = v.trim();
    return t.length >= 2 && ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) ? t.slice(1, -1) : t;
  };
  const matches = /^([\w.]+)\s+matches\s+(.+)$/i.exec(expression);
  if (matches?.[1] !== undefined && matches[2] !== undefined) {
    const field = matches[1];
    const pattern = likePattern(unquote(matches[2]));
    return (m) => pattern.test(asText(fieldValue(m, field)));
  }
  const comparison = /^([\w.]+)\s*(==|=|<>|!=)\s*(.*)$/s.exec(expression);
  if (comparison?.[1] !== undefined && comparison[2] !== undefined && comparison[3] !== undefined) {
    const field = comparison[1];
    const wanted = unquote(comparison[3]).toLowerCase();
    const negate = comparison[2] === '<>' || comparison[2] === '!=';
    return (m) => (asText(fieldValue(m, field)).toLowerCase() === wanted) !== negate;
  }
  return undefined;
}

function sorter(sort: string | undefined): ((a: Record<string, unknown>, b: Record<string, unknown>) => number) | undefined {
  if (sort === undefined || sort.trim() === '') return undefined;
  const [field, direction = 'asc'] = sort.split(':').map((s) => s.trim());
  if (field === undefined || field === '') return undefined;
  const sign = /^desc/i.test(direction) ? -1 : 1;
  return (a, b) => sign * asText(fieldValue(a, field)).localeCompare(asText(fieldValue(b, field)), 'en', { numeric: true, sensitivity: 'base' });
}

function intParam(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : fallback;
}

/** Builds one page of a collection from all members, given the request URL's query. */
export function collectionPage<T extends object>(members: T[], options: { url: URL; category: string; type: string }): CollectionPage<T> {
  const params = options.url.searchParams;
  const predicates = params.getAll('filter').map(parseFilter).filter((p): p is Predicate => p !== undefined);
  let selected = members.filter((m) => predicates.every((p) => p(m as Record<string, unknown>)));
  const compare = sorter(params.get('sort') ?? undefined);
  if (compare !== undefined) selected = [...selected].sort((a, b) => compare(a as Record<string, unknown>, b as Record<string, unknown>));
  const total = selected.length;
  const start = Math.max(0, intParam(params.get('start') ?? undefined, 0));
  const requested = intParam(params.get('count') ?? undefined, -1);
  const count = requested < 0 ? total : requested;
  const page = selected.slice(start, start + count);
  const uri = `${options.url.pathname}${options.url.search}`;
  const pageUri = (s: number) => {
    const next = new URLSearchParams(params);
    next.set('start', String(s));
    next.set('count', String(count));
    return `${options.url.pathname}?${next.toString()}`;
  };
  return {
    type: options.type,
    category: options.category,
    uri,
    start,
    count: page.length,
    total,
    prevPageUri: start > 0 && count > 0 ? pageUri(Math.max(0, start - count)) : null,
    nextPageUri: requested >= 0 && start + count < total ? pageUri(start + count) : null,
    members: page,
  };
}
