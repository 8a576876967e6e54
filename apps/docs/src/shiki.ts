/**
 * The shiki + twoslash setup of the site (used by docusaurus.config.ts, and by the tests that check a
 * type error fails the build).
 *
 * ```ts twoslash blocks are compiled against the real @bpfhost/api declarations, resolved through the
 * workspace's node_modules/@bpfhost/api symlink to packages/api/dist (built first: `nx run docs:build`
 * depends on api:build). A type error throws, which fails the build. Other ```ts blocks are only
 * highlighted; other languages stay with Prism.
 */
import type { RehypeShikiOptions } from '@shikijs/rehype';
import { transformerTwoslash } from '@shikijs/twoslash';
import ts from 'typescript';

import { transformerTitle } from './rehype/shikiForMdx';

/** `siteDir` is the twoslash virtual root: imports in examples resolve from there. */
export function shikiOptions(siteDir: string): RehypeShikiOptions {
  return {
    themes: { light: 'github-light', dark: 'github-dark' },
    langs: ['ts', 'tsx'],
    transformers: [
      transformerTwoslash({
        explicitTrigger: true,
        throws: true,
        twoslashOptions: {
          vfsRoot: siteDir,
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
            module: ts.ModuleKind.ESNext,
            moduleResolution: ts.ModuleResolutionKind.Bundler,
            strict: true,
            noUncheckedIndexedAccess: true,
            types: ['node'],
          },
        },
      }),
      transformerTitle(),
    ],
  };
}
