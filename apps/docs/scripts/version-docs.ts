/**
 * Snapshots the docs as a released version (`nx run docs:version`, after `changeset version`).
 *
 * The version is @bpfhost/api's (packages/api/package.json). The script:
 * 1. runs `docusaurus docs:version <version>`, which regenerates the API reference and copies docs/
 *    to versioned_docs/version-<version>/ (with versioned_sidebars/ and versions.json);
 * 2. freezes the copy: every code block included with `file=` is replaced by the text it showed, so
 *    the released pages keep the sources of the release, and `twoslash` is dropped from TypeScript
 *    blocks, because a released page documents the API of its release, not the one the current
 *    @bpfhost/api declarations describe (the current docs keep being type-checked);
 * 3. keeps at most `keep` (default 9) released versions, removing the oldest.
 *
 * Nothing happens when the version already has a snapshot (the API was not released).
 *
 * Usage: node build-test/scripts/version-docs.js [--version X] [--keep N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { parseMeta, resolveInclude } from '../src/remark/includeSource';

export interface VersionDocsOptions {
  /** The site (apps/docs). */
  siteDir: string;
  /** Default: the version in packages/api/package.json. */
  version?: string;
  /** How many released versions to keep (default 9). */
  keep?: number;
  log?: (line: string) => void;
}

export interface VersionDocsResult {
  version: string;
  created: boolean;
  /** Code blocks frozen in the snapshot. */
  frozen: number;
  /** Released versions removed to stay within `keep`. */
  pruned: string[];
}

const readVersions = (siteDir: string): string[] => {
  const file = path.join(siteDir, 'versions.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
};

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(p));
    else if (/\.mdx?$/.test(entry.name)) out.push(p);
  }
  return out;
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})(\S*)(?:[ \t]+(.*))?$/;

/**
 * Freezes one page: included blocks get their text, TypeScript blocks lose `twoslash`. Works on fenced
 * blocks line by line (an include's body is empty, so its closing fence follows at once). Returns the
 * new text and the number of blocks changed.
 */
export function freezePage(text: string, rootDir: string, page: string): { text: string; changed: number } {
  const lines = text.split('\n');
  const out: string[] = [];
  let changed = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE_OPEN.exec(lines[i]!);
    if (!m) {
      out.push(lines[i]!);
      continue;
    }
    const [, indent = '', fence = '```', lang = '', meta = ''] = m;
    // The block's body and closing fence.
    let j = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j]!)) j++;
    const body = lines.slice(i + 1, j).map((l) => l.slice(indent.length));
    const tokens = parseMeta(meta);
    const isTs = lang === 'ts' || lang === 'tsx';
    const hasFile = tokens.some((t) => t.key === 'file');
    const hasTwoslash = isTs && tokens.some((t) => t.key === undefined && t.value === 'twoslash');
    if (!hasFile && !hasTwoslash) {
      out.push(...lines.slice(i, j + 1));
      i = j;
      continue;
    }
    const keptMeta = tokens.filter((t) => !(t.key === undefined && t.value === 'twoslash')).map((t) => t.raw).join(' ');
    let code = body.join('\n');
    let newMeta = keptMeta;
    if (hasFile) {
      const included = resolveInclude(rootDir, page, lang, keptMeta, code)!;
      code = included.code;
      newMeta = included.meta;
    }
    let ticks = '```';
    while (code.includes(ticks)) ticks += '`';
    out.push(`${indent}${ticks}${lang}${newMeta ? ` ${newMeta}` : ''}`);
    if (code !== '') out.push(...code.split('\n').map((l) => (l === '' ? '' : indent + l)));
    out.push(`${indent}${ticks}`);
    changed++;
    i = j;
  }
  return { text: out.join('\n'), changed };
}

/** Freezes every page of a snapshot directory; returns the number of blocks changed. */
export function freezeSnapshot(dir: string, rootDir: string): number {
  let total = 0;
  for (const file of markdownFiles(dir)) {
    const { text, changed } = freezePage(readFileSync(file, 'utf8'), rootDir, path.relative(rootDir, file));
    if (changed > 0) writeFileSync(file, text);
    total += changed;
  }
  return total;
}

/** Removes the oldest released versions beyond `keep`; returns the removed names. */
export function pruneVersions(siteDir: string, keep: number): string[] {
  const versions = readVersions(siteDir);
  const removed = versions.slice(keep);
  for (const v of removed) {
    rmSync(path.join(siteDir, 'versioned_docs', `version-${v}`), { recursive: true, force: true });
    rmSync(path.join(siteDir, 'versioned_sidebars', `version-${v}-sidebars.json`), { force: true });
  }
  if (removed.length > 0) writeFileSync(path.join(siteDir, 'versions.json'), `${JSON.stringify(versions.slice(0, keep), null, 2)}\n`);
  return removed;
}

export function versionDocs(opts: VersionDocsOptions): VersionDocsResult {
  const log = opts.log ?? ((line: string) => console.log(line));
  const rootDir = path.resolve(opts.siteDir, '../..');
  const version =
    opts.version ?? (JSON.parse(readFileSync(path.join(rootDir, 'packages/api/package.json'), 'utf8')) as { version: string }).version;
  const keep = opts.keep ?? 9;
  if (readVersions(opts.siteDir).includes(version)) {
    log(`docs:version: ${version} already has a snapshot (versioned_docs/version-${version}); nothing to do`);
    return { version, created: false, frozen: 0, pruned: [] };
  }
  log(`docs:version: snapshotting the docs as ${version}`);
  const run = spawnSync('npx', ['--no-install', 'docusaurus', 'docs:version', version], { cwd: opts.siteDir, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`docs:version: docusaurus docs:version ${version} failed (${run.status ?? run.signal})`);
  const frozen = freezeSnapshot(path.join(opts.siteDir, 'versioned_docs', `version-${version}`), rootDir);
  log(`docs:version: froze ${frozen} code blocks in versioned_docs/version-${version}`);
  const pruned = pruneVersions(opts.siteDir, keep);
  if (pruned.length > 0) log(`docs:version: removed the oldest versions ${pruned.join(', ')} (keeping ${keep})`);
  return { version, created: true, frozen, pruned };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  try {
    const keep = arg('--keep');
    versionDocs({ siteDir: path.resolve(__dirname, '../..'), version: arg('--version'), keep: keep === undefined ? undefined : Number(keep) });
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
