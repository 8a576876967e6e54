import { rmSync } from 'node:fs';
import path from 'node:path';

import rehypeShiki from '@shikijs/rehype';
import type * as Preset from '@docusaurus/preset-classic';
import type { Config } from '@docusaurus/types';
import { themes as prismThemes } from 'prism-react-renderer';

import apiPagesCheck from './src/plugins/apiPagesCheck';
import rehypeShikiForMdx from './src/rehype/shikiForMdx';
import { shikiOptions } from './src/shiki';
import includeSource from './src/remark/includeSource';

// This file runs in Node.js (loaded by Docusaurus), not in the browser.

/** The repository root: `file=` paths of included code are relative to it. */
const repoRoot = path.resolve(__dirname, '../..');
const apiPackage = path.join(repoRoot, 'packages/api');
const apiDocs = path.join(__dirname, 'docs/api');

// The API reference is generated on every start/build: remove the previous one first, so that a
// failed generation leaves pages missing (which apiPagesCheck reports) instead of stale ones.
rmSync(apiDocs, { recursive: true, force: true });

const remarkPlugins = [[includeSource, { rootDir: repoRoot }]];
// Shiki (with twoslash) runs after includeSource, so an included example is type-checked too.
const rehypePlugins = [[rehypeShiki, shikiOptions(__dirname)], rehypeShikiForMdx];

const config: Config = {
  title: 'bpfhost',
  tagline: 'An embeddable user-mode eBPF core with extensions that add custom map types',
  favicon: 'img/favicon.svg',

  future: {
    v4: true,
    // Rspack's persistent cache (node_modules/.cache/rspack) keys a page on its own text: it would serve
    // a stale page after an included source file or the @bpfhost/api declarations changed, and skip
    // the type check that must fail the build.
    faster: { rspackPersistentCache: false },
  },

  url: 'https://bpfhost.example.org',
  baseUrl: '/',

  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  markdown: {
    mermaid: true,
    hooks: {
      onBrokenMarkdownLinks: 'throw',
      onBrokenMarkdownImages: 'throw',
    },
  },
  themes: [
    '@docusaurus/theme-mermaid',
    [
      '@easyops-cn/docusaurus-search-local',
      { hashed: true, indexBlog: false, docsRouteBasePath: '/docs', explicitSearchResultPath: true },
    ],
  ],

  i18n: {
    defaultLocale: 'en',
    locales: ['en'],
  },

  presets: [
    [
      'classic',
      {
        docs: {
          sidebarPath: './sidebars.ts',
          // The docs of the next release; released versions are snapshots (`nx run docs:version`).
          versions: { current: { label: 'Next' } },
          beforeDefaultRemarkPlugins: remarkPlugins,
          beforeDefaultRehypePlugins: rehypePlugins,
        },
        blog: false,
        pages: {
          beforeDefaultRemarkPlugins: remarkPlugins,
          beforeDefaultRehypePlugins: rehypePlugins,
        },
        theme: {
          customCss: './src/css/custom.css',
        },
      } satisfies Preset.Options,
    ],
  ],

  plugins: [
    [
      'docusaurus-plugin-typedoc',
      {
        // Absolute paths: the plugin resolves them against the working directory, not the site.
        entryPoints: [path.join(apiPackage, 'src/index.ts')],
        tsconfig: path.join(apiPackage, 'tsconfig.json'),
        out: apiDocs,
        readme: 'none',
        disableSources: true,
        // Type errors in the API are its own build's business; the reference is generated regardless.
        skipErrorChecking: true,
        sidebar: { pretty: true },
      },
    ],
    (context) => apiPagesCheck(context, { indexFile: path.join(apiPackage, 'src/index.ts'), apiDir: apiDocs }),
  ],

  themeConfig: {
    colorMode: {
      defaultMode: 'light',
      respectPrefersColorScheme: true,
    },
    navbar: {
      title: 'bpfhost',
      logo: { alt: 'bpfhost', src: 'img/logo.svg' },
      items: [
        { type: 'docSidebar', sidebarId: 'userGuide', position: 'left', label: 'User guide' },
        { type: 'docSidebar', sidebarId: 'extensionGuide', position: 'left', label: 'Extension guide' },
        // The reference's index page (the sidebar's first item would be the first class).
        { type: 'doc', docId: 'api/index', position: 'left', label: 'API reference' },
        { type: 'docsVersionDropdown', position: 'right' },
      ],
    },
    footer: {
      style: 'dark',
      links: [
        {
          title: 'Guides',
          items: [
            { label: 'Introduction', to: '/docs/intro' },
            { label: 'User guide', to: '/docs/user-guide/installing' },
            { label: 'Extension guide', to: '/docs/extensions/custom-maps' },
          ],
        },
        {
          title: 'Reference',
          items: [
            { label: 'TypeScript API', to: '/docs/api' },
            { label: 'extension.h', to: '/docs/reference/extension-h' },
            { label: 'Architecture', to: '/docs/architecture' },
          ],
        },
      ],
      copyright: 'bpfhost. Built with Docusaurus.',
    },
    prism: {
      theme: prismThemes.github,
      darkTheme: prismThemes.dracula,
      additionalLanguages: ['bash', 'c', 'json'],
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
