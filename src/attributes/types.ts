// The typed custom attributes of build plans and deployment plans (reference §4.2, §4.3, §4.8): their
// wire shape, the eight types, and their constraints, which travel as a JSON-encoded string.
import { invalid } from '../core/errors.js';

export const ATTRIBUTE_TYPES = ['string', 'number', 'option', 'password', 'ipv4', 'hostname', 'fqdn', 'nic'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** A custom attribute as build plans carry it. `value` is the default: a string, or `null` for a NIC. */
export interface CustomAttribute {
  name: string;
  value: string | null;
  /** One of ATTRIBUTE_TYPES on anything we write; kept as a string because bundles are read as they come. */
  type: string;
  /** JSON-encoded constraints object, e.g. `{"maxlen":"64"}` (numbers are strings, booleans real). */
  constraints: string;
  description: string;
}

/** A deployment plan's attribute: the build plan's, plus whether a profile may change it and sees it. */
export interface DeploymentPlanAttribute extends CustomAttribute {
  id?: string;
  editable: boolean;
  visible: boolean;
}

/**
 * Constraints decoded, every key optional. Numbers stay strings on the wire; here they are numbers.
 * Unknown keys are kept in the JSON and ignored here.
 */
export interface Constraints {
  helpText?: string;
  regex?: string;
  options?: string[];
  minlen?: number;
  maxlen?: number;
  minimum?: number;
  maximum?: number;
  increment?: number;
  unit?: string;
  /** NIC: which configurations a profile may choose. */
  ipv4static?: boolean;
  ipv4dhcp?: boolean;
  ipv4disable?: boolean;
  ipv4noteaming?: boolean;
  /** NIC: the sub-fields the scripts use (`mac`, `ipaddress`…). */
  parameters?: string[];
}

export function isAttributeType(type: string): type is AttributeType {
  return (ATTRIBUTE_TYPES as readonly string[]).includes(type);
}

/** NIC sub-fields a value may carry besides the scripts' own parameters (set by OneView, reference §6). */
export const NIC_PROFILE_FIELDS = ['connectionid', 'dhcp', 'ipv4disable', 'networkuri', 'constraint', 'mac'] as const;

const NUMBER_KEYS = ['minlen', 'maxlen', 'minimum', 'maximum', 'increment'] as const;
const BOOLEAN_KEYS = ['ipv4static', 'ipv4dhcp', 'ipv4disable', 'ipv4noteaming'] as const;

function toNumber(raw: unknown): number | undefined {
  if (raw === '' || raw === null || raw === undefined) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : NaN;
}

/**
 * Decodes a constraints string (`""`, `null` and `"{}"` are empty). Throws AppError `invalid`
 * `ATTRIBUTE_CONSTRAINTS_INVALID` when it is not a JSON object or a known key has the wrong type.
 */
export function parseConstraints(constraints: string | null | undefined, attributeName = ''): Constraints {
  const where = attributeName === '' ? 'constraints' : `constraints of "${attributeName}"`;
  const fail = (cause: string) => invalid('ATTRIBUTE_CONSTRAINTS_INVALID', `Cannot read the ${where}: ${cause}`);
  if (constraints === null || constraints === undefined || constraints.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(constraints);
  } catch {
    throw fail(`${JSON.stringify(constraints)} is not JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('it is not a JSON object');
  const source = raw as Record<string, unknown>;
  const out: Constraints = {};
  for (const key of ['helpText', 'regex', 'unit'] as const) {
    const v = source[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw fail(`"${key}" must be a string`);
    out[key] = v;
  }
  for (const key of NUMBER_KEYS) {
    const n = toNumber(source[key]);
    if (n === undefined) continue;
    if (Number.isNaN(n)) throw fail(`"${key}" must be a number, not ${JSON.stringify(source[key])}`);
    out[key] = n;
  }
  for (const key of BOOLEAN_KEYS) {
    const v = source[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') out[key] = v;
    else if (v === 'true' || v === 'false') out[key] = v === 'true';
    else throw fail(`"${key}" must be true or false`);
  }
  for (const key of ['options', 'parameters'] as const) {
    const v = source[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw fail(`"${key}" must be an array`);
    // Bundles hold `"options":[null]` on a NIC; null entries carry nothing.
    out[key] = v.filter((x) => x !== null).map(String);
  }
  return out;
}

/** Encodes constraints the way they travel: a JSON string, numbers as strings. */
export function formatConstraints(constraints: Constraints): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(constraints)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'number' ? String(value) : value;
  }
  return JSON.stringify(out);
}
