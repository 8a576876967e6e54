// A plain-text table for the demo: a header, a rule, columns padded to the widest cell,
// numbers right-aligned.

/** The lines of a table of `rows` under `headers`, indented by `indent`. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], indent = '    '): string[] {
  const cells = rows.map((r) => headers.map((_, c) => (r[c] === undefined ? '' : String(r[c]))));
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] as string).length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || typeof r[c] === 'bigint'));
  const pad = (t: string, c: number): string => (numeric[c] ? t.padStart(widths[c] as number) : t.padEnd(widths[c] as number));
  const line = (r: readonly string[]): string => `${indent}${r.map(pad).join(' | ')}`.trimEnd();
  return [line(headers), `${indent}${widths.map((w) => '-'.repeat(w)).join('-+-')}`, ...cells.map(line)];
}
