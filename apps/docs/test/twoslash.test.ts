// The site's shiki + twoslash pipeline (src/shiki.ts, src/rehype/shikiForMdx.ts), run on markdown the
// way the docs build runs it: a ```ts twoslash block is compiled against the real @bpfhost/api
// declarations, a type error throws (which fails `docusaurus build`), and hovers carry the real types.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import rehypeShiki from '@shikijs/rehype';
import { toHtml } from 'hast-util-to-html';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

import rehypeShikiForMdx from '../src/rehype/shikiForMdx';
import { shikiOptions } from '../src/shiki';

const siteDir = path.resolve(__dirname, '../..');

async function render(markdown: string): Promise<string> {
  const processor = unified().use(remarkParse).use(remarkRehype).use(rehypeShiki, shikiOptions(siteDir)).use(rehypeShikiForMdx);
  const tree = await processor.run(processor.parse(markdown));
  return toHtml(tree as Parameters<typeof toHtml>[0]);
}

describe('twoslash blocks', () => {
  it('show the real types of @bpfhost/api on hover', async () => {
    const html = await render(
      "```ts twoslash title=\"example.ts\"\nimport { struct, u32, u64 } from '@bpfhost/api';\nconst event = struct({ key: u32, value: u64 });\n```\n",
    );
    assert.match(html, /class="[^"]*twoslash[^"]*shiki-block/);
    assert.match(html, /twoslash-popup-container/);
    // struct's own declaration, from packages/api/dist/codecs.d.ts
    assert.match(html, /function<\/span>.*struct/);
    assert.match(html, /StructCodec/);
    assert.match(html, /class="shiki-title">example\.ts</);
    assert.ok(!/<pre|<code/.test(html), 'no pre/code left for MDX to turn into CodeBlocks');
  });

  it('throw on a type error (which fails the docs build)', async () => {
    await assert.rejects(
      render("```ts twoslash\nimport { u32 } from '@bpfhost/api';\nconst n: string = u32.size;\n```\n"),
      /2322|not assignable/,
    );
  });

  it('throw on a renamed export', async () => {
    await assert.rejects(render("```ts twoslash\nimport { NoSuchThing } from '@bpfhost/api';\n```\n"), /2305|no exported member/);
  });

  it('leave plain ts blocks unchecked and other languages alone', async () => {
    const html = await render('```ts\nconst n: string = 1;\n```\n\n```c\nint x;\n```\n');
    assert.match(html, /shiki-block/);
    assert.match(html, /<pre><code class="language-c">int x;/);
  });
});
