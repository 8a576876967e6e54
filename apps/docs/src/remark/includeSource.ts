/**
 * includeSource: a remark plugin that fills a fenced code block from a real source file.
 *
 *   ```c file=packages/sample-ext/src/hook.c symbol=hook_trigger
 *   ```
 *
 * Meta keys (the rest of the meta, e.g. `twoslash`, is kept):
 * - `file=PATH`     path relative to the repository root (required to trigger the plugin)
 * - `symbol=NAME`   one top-level C definition: function, struct/union/enum, a static/const table, a
 *                   `#define` (with its continuation lines) or a `typedef` (function pointer, array,
 *                   plain), from the comment block directly above it to its last line;
 *                   `symbol=A,B,C` shows the lines from the first to the last of several definitions
 *                   (in file order), e.g. a struct and the version macros that follow it
 * - `region=NAME`   the lines between `#region NAME` and `#endregion NAME` (marker lines excluded)
 * - `lines=A-B`     1-based, inclusive
 * - `title="..."`   the shown title (default: the path, plus the symbol)
 *
 * The block's own body must be empty. A missing file, symbol or region throws an error that names
 * the page and the reference, which fails the docs build.
 *
 * For a ```ts twoslash block that shows only part of a file (region or lines), the rest of the file is
 * kept as hidden context (twoslash `---cut---` / `---cut-after---` markers), so the shown part is
 * type-checked as the file it comes from.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface IncludeSourceOptions {
  /** The repository root: `file=` paths are relative to it. */
  rootDir: string;
}

/** The parts of an mdast node this plugin reads and writes. */
interface MdNode {
  type: string;
  lang?: string | null;
  meta?: string | null;
  value?: string;
  children?: MdNode[];
  position?: { start: { line: number } };
}

interface VFileLike {
  path?: string;
  history?: string[];
}

export interface MetaToken {
  key: string | undefined;
  value: string;
  raw: string;
}

const INCLUDE_KEYS = new Set(['file', 'symbol', 'region', 'lines', 'title']);

/** Splits a code block's meta into tokens: `key=value`, `key="quoted value"` or bare words. */
export function parseMeta(meta: string): MetaToken[] {
  const tokens: MetaToken[] = [];
  const re = /([A-Za-z_][\w-]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))|(\S+)/g;
  for (let m = re.exec(meta); m !== null; m = re.exec(meta)) {
    if (m[5] !== undefined) tokens.push({ key: undefined, value: m[5], raw: m[0] });
    else tokens.push({ key: m[1], value: m[2]?.replace(/\\(.)/g, '$1') ?? m[3] ?? m[4] ?? '', raw: m[0] });
  }
  return tokens;
}

export class IncludeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncludeError';
  }
}

const isBlank = (line: string): boolean => line.trim() === '';

/** Removes the indentation all non-blank lines share. */
export function dedent(lines: string[]): string[] {
  let common: number | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const n = line.length - line.trimStart().length;
    common = common === undefined ? n : Math.min(common, n);
  }
  return common ? lines.map((line) => (isBlank(line) ? '' : line.slice(common))) : lines;
}

/** Drops leading and trailing blank lines. */
function trimBlankEnds(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && isBlank(lines[a]!)) a++;
  while (b > a && isBlank(lines[b - 1]!)) b--;
  return lines.slice(a, b);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const REGION_MARKER = /#(?:end)?region\b/;

/** A selection of lines of a file: [start, end) 0-based. */
export interface Span {
  start: number;
  end: number;
}

/** The lines of region NAME (markers excluded), as a span of the file's lines. */
export function findRegion(lines: string[], name: string): Span | undefined {
  const open = new RegExp(`#region\\s+${escapeRe(name)}(?:\\s|$)`);
  const close = new RegExp(`#endregion\\s+${escapeRe(name)}(?:\\s|$)`);
  const start = lines.findIndex((line) => open.test(line));
  if (start < 0) return undefined;
  for (let i = start + 1; i < lines.length; i++) if (close.test(lines[i]!)) return { start: start + 1, end: i };
  return undefined;
}

/**
 * Where the comments directly above line `i` start: block comments that stand on their own lines and
 * `//` lines, several stacked ones too (a group's comment above an item's). A trailing comment at the
 * end of a code line is not a comment above.
 */
function leadingCommentStart(lines: string[], i: number): number {
  let start = i;
  for (let j = start - 1; j >= 0; j = start - 1) {
    const prev = lines[j]!;
    if (/^\s*(?:\/\*|\*)/.test(prev) && /\*\/\s*$/.test(prev)) {
      while (j >= 0 && !/^\s*\/\*/.test(lines[j]!)) j--;
      if (j < 0) break;
      start = j;
    } else if (/^\s*\/\//.test(prev)) {
      start = j;
    } else {
      break;
    }
  }
  return start;
}

/**
 * The span of a top-level C definition named `name`: a function, a struct/union/enum, a static or
 * const table, or `struct { ... } name SEC(...);` (a BTF map), from the comment block above it to its
 * closing line at column 0.
 */
export function findCSymbol(lines: string[], name: string): Span | undefined {
  const id = escapeRe(name);
  const tagged = new RegExp(`^(?:typedef\\s+)?(?:struct|union|enum)\\s+${id}\\b`);
  const fn = new RegExp(`^[A-Za-z_][^=;(]*?\\b${id}\\s*\\(`);
  const fnOwnLine = new RegExp(`^${id}\\s*\\(`);
  const table = new RegExp(`^(?:[A-Za-z_][\\w\\s*]*\\s|\\*)${id}\\s*(?:\\[[^\\]]*\\]\\s*)*=`);
  const closingName = new RegExp(`^}\\s*${id}\\b[^;]*;`);

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s/.test(line) || line.startsWith('#') || line.startsWith('//') || line.startsWith('/*') || line.startsWith(' *')) continue;

    // struct { ... } NAME SEC(".maps");  or  typedef struct { ... } NAME;
    if (closingName.test(line)) {
      let open = i;
      while (open > 0 && !/^\S.*\{\s*$/.test(lines[open - 1]!)) open--;
      if (open === 0) continue;
      open--;
      return { start: leadingCommentStart(lines, open), end: i + 1 };
    }

    const isTagged = tagged.test(line);
    const isFn = !isTagged && (fn.test(line) || fnOwnLine.test(line));
    const isTable = !isTagged && !isFn && table.test(line);
    if (!isTagged && !isFn && !isTable) continue;

    // Find the end of the head: a '{' (definition) or a ';' (a declaration or a one-line table).
    let j = i;
    let head = '';
    for (; j < lines.length; j++) {
      head += lines[j]! + '\n';
      if (head.includes('{') || /;\s*$/.test(lines[j]!)) break;
    }
    if (j >= lines.length) continue;
    const braceBeforeSemi = head.includes('{') && (!head.includes(';') || head.indexOf('{') < head.indexOf(';'));
    if (!braceBeforeSemi) {
      if (isTable) return { start: leadingCommentStart(lines, i), end: j + 1 }; // e.g. static const int x = 3;
      continue; // a prototype or a forward declaration
    }
    let end = j;
    const oneLine = /^\S.*\{.*\};?\s*$/.test(lines[j]!) && j === i;
    if (!oneLine) {
      end = j + 1;
      while (end < lines.length && !/^}/.test(lines[end]!)) end++;
      if (end >= lines.length) return undefined;
    }
    // Lines of the same declaration above the name (return type, SEC("..."), attributes).
    let start = i;
    while (start > 0) {
      const prev = lines[start - 1]!;
      if (isBlank(prev) || /^\s/.test(prev) || prev.startsWith('#') || /[;{}]\s*$/.test(prev) || /\*\/\s*$/.test(prev) || prev.startsWith('//'))
        break;
      start--;
    }
    return { start: leadingCommentStart(lines, start), end: end + 1 };
  }
  return undefined;
}

/** `#define NAME` at column 0, with its backslash-continued lines. */
function findMacro(lines: string[], name: string): Span | undefined {
  const def = new RegExp(`^#\\s*define\\s+${escapeRe(name)}\\b`);
  const i = lines.findIndex((line) => def.test(line));
  if (i < 0) return undefined;
  let end = i;
  while (end < lines.length - 1 && /\\\s*$/.test(lines[end]!)) end++;
  // `#ifndef NAME` guarding the definition belongs to it.
  const guarded = i > 0 && new RegExp(`^#\\s*ifndef\\s+${escapeRe(name)}\\b`).test(lines[i - 1]!);
  return { start: leadingCommentStart(lines, guarded ? i - 1 : i), end: end + 1 };
}

/**
 * A `typedef` at column 0 that names `name`, up to the line ending its statement: function pointers
 * (`typedef int (*name)(...);`), arrays (`typedef u64 name[4];`) and plain aliases. Struct typedefs
 * with a body are found by {@link findCSymbol}'s `} name;` rule.
 */
function findTypedef(lines: string[], name: string): Span | undefined {
  const id = escapeRe(name);
  const names = new RegExp(`\\(\\s*\\*\\s*${id}\\s*\\)|\\b${id}\\s*(?:\\[[^\\]]*\\]\\s*)*;\\s*$`);
  for (let i = 0; i < lines.length; i++) {
    if (!/^typedef\b/.test(lines[i]!) || /{\s*$/.test(lines[i]!)) continue;
    let end = i;
    while (end < lines.length - 1 && !/;\s*$/.test(lines[end]!)) end++;
    if (names.test(lines.slice(i, end + 1).join('\n'))) return { start: leadingCommentStart(lines, i), end: end + 1 };
    i = end;
  }
  return undefined;
}

/** One definition of any kind {@link resolveInclude} accepts for `symbol=`. */
export function findDefinition(lines: string[], name: string): Span | undefined {
  return findCSymbol(lines, name) ?? findMacro(lines, name) ?? findTypedef(lines, name);
}

/** Parses `A-B` (1-based, inclusive) into a span, checked against the file's length. */
export function parseLines(spec: string, count: number): Span | undefined {
  const m = /^(\d+)-(\d+)$/.exec(spec) ?? /^(\d+)$/.exec(spec);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = Number(m[2] ?? m[1]);
  if (a < 1 || b < a || b > count) return undefined;
  return { start: a - 1, end: b };
}

export interface Included {
  /** The code to show. */
  code: string;
  /** The meta to keep: the tokens this plugin does not own, plus title="...". */
  meta: string;
}

const isMarker = (line: string): boolean => REGION_MARKER.test(line);

/**
 * Resolves one block: `meta` is the block's meta string, `page` the page (for messages).
 * Exported for the tests; the plugin calls it for every code block with `file=`.
 */
export function resolveInclude(
  rootDir: string,
  page: string,
  lang: string | null | undefined,
  meta: string,
  body: string,
): Included | undefined {
  const tokens = parseMeta(meta);
  const get = (key: string): string | undefined => tokens.find((t) => t.key === key)?.value;
  const file = get('file');
  if (file === undefined) return undefined;
  const symbol = get('symbol');
  const region = get('region');
  const lineSpec = get('lines');
  const ref = [`file=${file}`, symbol && `symbol=${symbol}`, region && `region=${region}`, lineSpec && `lines=${lineSpec}`]
    .filter(Boolean)
    .join(' ');
  const fail = (why: string): never => {
    throw new IncludeError(`includeSource: ${page}: ${ref}: ${why}`);
  };

  if (body.trim() !== '') fail('the code block must be empty (its body comes from the file)');
  if ([symbol, region, lineSpec].filter((x) => x !== undefined).length > 1)
    fail('use at most one of symbol=, region= and lines=');
  const abs = path.resolve(rootDir, file);
  if (path.relative(rootDir, abs).startsWith('..')) fail('the path is outside the repository');
  if (!existsSync(abs) || !statSync(abs).isFile()) fail(`file not found (${abs})`);

  const text = readFileSync(abs, 'utf8').replace(/\r\n/g, '\n');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');

  let span: Span = { start: 0, end: lines.length };
  if (symbol !== undefined) {
    const spans = symbol.split(',').map((name) => findDefinition(lines, name.trim()) ?? fail(`symbol '${name.trim()}' not found`));
    for (let k = 1; k < spans.length; k++) {
      if (spans[k]!.start < spans[k - 1]!.end) fail('list several symbols in the order the file defines them');
    }
    span = { start: spans[0]!.start, end: spans[spans.length - 1]!.end };
  }
  else if (region !== undefined) span = findRegion(lines, region) ?? fail(`region '${region}' not found (#region ${region} ... #endregion ${region})`);
  else if (lineSpec !== undefined) span = parseLines(lineSpec, lines.length) ?? fail(`bad line range (the file has ${lines.length} lines)`);

  const shown = trimBlankEnds(dedent(lines.slice(span.start, span.end).filter((l) => !isMarker(l))));
  if (shown.length === 0) fail('the selection is empty');

  const twoslash = (lang === 'ts' || lang === 'tsx') && tokens.some((t) => t.key === undefined && t.value === 'twoslash');
  const partial = span.start > 0 || span.end < lines.length;
  let code: string;
  if (twoslash && partial) {
    const before = lines.slice(0, span.start).filter((l) => !isMarker(l));
    const after = lines.slice(span.end).filter((l) => !isMarker(l));
    code = [...before, '// ---cut---', ...shown, ...(after.some((l) => !isBlank(l)) ? ['// ---cut-after---', ...after] : [])].join('\n');
  } else {
    code = shown.join('\n');
  }

  const title = get('title') ?? (symbol !== undefined ? `${file} (${symbol})` : file);
  const kept = tokens.filter((t) => t.key === undefined || !INCLUDE_KEYS.has(t.key)).map((t) => t.raw);
  kept.push(`title=${JSON.stringify(title)}`);
  return { code, meta: kept.join(' ') };
}

function pageName(rootDir: string, file: VFileLike): string {
  const p = file.path ?? file.history?.[file.history.length - 1];
  return p ? path.relative(rootDir, p) : '(unknown page)';
}

function walk(node: MdNode, visit: (node: MdNode) => void): void {
  visit(node);
  if (node.children) for (const child of node.children) walk(child, visit);
}

/** The remark plugin (options: `{ rootDir }`). */
export default function includeSource(options: IncludeSourceOptions) {
  if (!options?.rootDir || !path.isAbsolute(options.rootDir)) throw new Error('includeSource: option rootDir must be an absolute path');
  const { rootDir } = options;
  return (tree: MdNode, file: VFileLike): void => {
    walk(tree, (node) => {
      if (node.type !== 'code' || !node.meta || !/(?:^|\s)file=/.test(node.meta)) return;
      const page = `${pageName(rootDir, file)}${node.position ? `:${node.position.start.line}` : ''}`;
      const included = resolveInclude(rootDir, page, node.lang, node.meta, node.value ?? '');
      if (!included) return;
      node.value = included.code;
      node.meta = included.meta;
    });
  };
}
