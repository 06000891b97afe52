// A line diff (longest common subsequence) for plan-script `differences` and dry-run previews.

export interface LineChange {
  kind: 'added' | 'removed';
  /** 1-based line in the old text (removed) or the new text (added). */
  line: number;
  text: string;
}

const MAX_CELLS = 4_000_000;

/** The added and removed lines turning `before` into `after`, in order. */
export function diffLines(before: string, after: string): LineChange[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  // Common prefix and suffix first: typical edits touch a few lines of a long script.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  if (x.length * y.length > MAX_CELLS) {
    return [...x.map((text, i) => ({ kind: 'removed' as const, line: head + i + 1, text })), ...y.map((text, i) => ({ kind: 'added' as const, line: head + i + 1, text }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (i < x.length && (j === y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      changes.push({ kind: 'removed', line: head + i + 1, text: x[i]! });
      i++;
    } else {
      changes.push({ kind: 'added', line: head + j + 1, text: y[j]! });
      j++;
    }
  }
  return changes;
}
