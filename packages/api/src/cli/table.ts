/**
 * Plain-text tables for the CLI: a header row, a rule, columns padded to
 * their widest cell, numbers right-aligned.
 *
 * @module
 */

/** Lines of a table of `rows` under `headers`, each line prefixed with `indent`. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => /^-?\d+$/.test(r[c] ?? '')));
  const cell = (text: string, c: number): string => (numeric[c] ? text.padStart(widths[c] as number) : text.padEnd(widths[c] as number));
  const line = (cells: readonly string[]): string => `${indent}${cells.map((t, c) => cell(t, c)).join(' | ')}`.trimEnd();
  return [line(headers), `${indent}${widths.map((w) => '-'.repeat(w)).join('-+-')}`, ...rows.map((r) => line(headers.map((_, c) => r[c] ?? '')))];
}
