/**
 * shikiForMdx: a rehype plugin that runs after @shikijs/rehype and makes its output survive MDX.
 *
 * Docusaurus maps MDX `pre` and `code` elements to its own CodeBlock component, which drops shiki's
 * classes (`shiki`, `twoslash`: every twoslash style hangs on them) and turns each twoslash popup's
 * `code` into a nested code block. So the shiki root `pre` becomes a `div.shiki-block` (classes kept)
 * and every `pre`/`code` inside it becomes a `span`. A block whose meta has `title="..."` (shiki's
 * `pre` carries it as `data-title`, see `transformerTitle`) gets a title bar above it.
 */
import type { ShikiTransformer } from 'shiki';

import { parseMeta } from '../remark/includeSource';

interface HNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HNode[];
}

function classesOf(node: HNode): string[] {
  const p = node.properties ?? {};
  const raw = p.className ?? p.class;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  return [];
}

function setClasses(node: HNode, classes: string[]): void {
  node.properties ??= {};
  delete node.properties.class;
  node.properties.className = classes;
}

/** Renames `pre`/`code` under a shiki block to `span`; shiki writes `class` where hast wants `className`. */
function flatten(node: HNode): void {
  for (const child of node.children ?? []) {
    if (child.type !== 'element') continue;
    if (child.properties && 'class' in child.properties) setClasses(child, classesOf(child));
    if (child.tagName === 'pre' || child.tagName === 'code') child.tagName = 'span';
    flatten(child);
  }
}

export default function rehypeShikiForMdx() {
  return (tree: HNode): void => {
    const visit = (parent: HNode): void => {
      const children = parent.children ?? [];
      for (let i = 0; i < children.length; i++) {
        const node = children[i]!;
        // @shikijs/rehype replaces each `pre` by a nested root holding the new `pre`: descend into any parent.
        if (node.type !== 'element') {
          if (node.children) visit(node);
          continue;
        }
        const classes = classesOf(node);
        if (node.tagName === 'pre' && classes.includes('shiki')) {
          node.tagName = 'div';
          setClasses(node, [...classes, 'shiki-block']);
          const title = node.properties?.['data-title'];
          delete node.properties?.['data-title'];
          flatten(node);
          if (typeof title === 'string' && title !== '') {
            children[i] = {
              type: 'element',
              tagName: 'div',
              properties: { className: ['shiki-container'] },
              children: [
                { type: 'element', tagName: 'div', properties: { className: ['shiki-title'] }, children: [{ type: 'text', value: title }] },
                node,
              ],
            };
          }
          continue;
        }
        visit(node);
      }
    };
    visit(tree);
  };
}

/** A shiki transformer that copies the block's `title="..."` meta onto the `pre` as `data-title`. */
export function transformerTitle(): ShikiTransformer {
  return {
    name: 'bpfhost:title',
    pre(node) {
      const raw = (this.options.meta as { __raw?: string } | undefined)?.__raw ?? '';
      const title = parseMeta(raw).find((t) => t.key === 'title')?.value;
      if (title) node.properties['data-title'] = title;
      return node;
    },
  };
}
