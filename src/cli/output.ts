// Human output: aligned tables of a resource's useful columns; `--json` prints the raw JSON instead.
import type { CliIo } from './io.js';
import { print } from './io.js';
import { fieldValue, type Column, type Member } from './resources.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value === '' ? '-' : value.replace(/\s+/g, ' ');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Renders rows as columns padded to their widest cell, two spaces apart, header first. */
export function renderTable(columns: Column[], members: Member[]): string {
  const rows = [columns.map((c) => c.header), ...members.map((m) => columns.map((c) => cell(typeof c.value === 'string' ? fieldValue(m, c.value) : c.value(m))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((text, i) => (i === r.length - 1 ? text : text.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** A single resource as `field: value` lines (top-level scalars first, then nested values as JSON). */
export function renderResource(member: Member): string {
  const keys = Object.keys(member);
  const width = Math.max(0, ...keys.map((k) => k.length));
  const scalar = (v: unknown) => v === null || typeof v !== 'object';
  const ordered = [...keys.filter((k) => scalar(member[k])), ...keys.filter((k) => !scalar(member[k]))];
  return ordered
    .map((k) => {
      const v = member[k];
      const text = typeof v === 'string' && v.includes('\n') ? `|\n${v.replace(/^/gm, '    ').trimEnd()}` : scalar(v) ? cell(v) : JSON.stringify(v);
      return `${k.padEnd(width)}  ${text}`;
    })
    .join('\n');
}

export function printJson(io: CliIo, value: unknown): void {
  print(io, JSON.stringify(value, null, 2));
}
