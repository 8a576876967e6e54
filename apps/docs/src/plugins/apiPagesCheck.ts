/**
 * apiPagesCheck: a Docusaurus plugin that fails the build when a name exported by @bpfhost/api has no
 * page in the generated API reference (docs/api, written by docusaurus-plugin-typedoc when the site
 * starts, before any plugin loads its content).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import type { LoadContext, Plugin } from '@docusaurus/types';
import ts from 'typescript';

export interface ApiPagesCheckOptions {
  /** The API's entry point (packages/api/src/index.ts). */
  indexFile: string;
  /** Where TypeDoc writes the reference. */
  apiDir: string;
}

/** Every name the entry point exports (values and types, through re-exports), sorted. */
export function listApiExports(indexFile: string): string[] {
  const program = ts.createProgram([indexFile], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const source = program.getSourceFile(indexFile);
  if (!source) throw new Error(`apiPagesCheck: cannot read ${indexFile}`);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`apiPagesCheck: ${indexFile} is not a module`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => s.getName())
    .filter((name) => name !== 'default')
    .sort();
}

/** The page names (file names without .md/.mdx) under `dir`, recursively. */
export function listPages(dir: string): string[] {
  const pages: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.mdx?$/.test(entry.name)) pages.push(entry.name.replace(/\.mdx?$/, ''));
    }
  };
  if (existsSync(dir)) walk(dir);
  return pages;
}

/**
 * The exported names without a page. TypeDoc's markdown output gives each exported declaration its
 * own file named after it (`classes/BpfMap.md`, `functions/loadExtension.md`); two names that differ
 * only in case get a numeric suffix on one of them (`Foo-1.md`).
 */
export function findMissingPages(names: string[], pages: string[]): string[] {
  const have = new Set(pages.map((p) => p.replace(/-\d+$/, '')));
  const haveExact = new Set(pages);
  return names.filter((name) => !haveExact.has(name) && !have.has(name));
}

/** Throws when a page is missing; returns the number of names checked. */
export function checkApiPages(options: ApiPagesCheckOptions): number {
  const names = listApiExports(options.indexFile);
  if (names.length === 0) throw new Error(`apiPagesCheck: ${options.indexFile} exports nothing`);
  const missing = findMissingPages(names, listPages(options.apiDir));
  if (missing.length > 0)
    throw new Error(
      `apiPagesCheck: ${missing.length} of the ${names.length} names exported by ${options.indexFile} have no page under ${options.apiDir}: ${missing.join(', ')}`,
    );
  return names.length;
}

export default function apiPagesCheck(_context: LoadContext, options: ApiPagesCheckOptions): Plugin {
  return {
    name: 'bpfhost-api-pages-check',
    async loadContent() {
      checkApiPages(options);
    },
  };
}
