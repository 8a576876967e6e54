// Rendering rules, checked on every page of the built site (the routes of its sitemap.xml) in Chromium:
// no Markdown syntax left as text (an admonition that did not parse shows its `:::`), no code block wider
// than its column at 1280 px, sidebar labels in title case, and a landing page that shows how to
// install and a real example (examples/quick-start.ts, which the docs tests run).
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, test, type Page } from '@playwright/test';

const siteDir = path.resolve(__dirname, '..');

/** Every route of the built site (its sitemap; the search page has no content of its own). */
function routes(): string[] {
  const xml = readFileSync(path.join(siteDir, 'build/sitemap.xml'), 'utf8');
  const all = [...xml.matchAll(/<loc>[a-z]+:\/\/[^/]+(\/[^<]*)<\/loc>/g)].map((m) => m[1]!);
  return all.filter((r) => r !== '/search').sort();
}

/** Visits every route once, calling `check` on each page; returns what the checks reported. */
async function eachPage(page: Page, check: (page: Page, route: string) => Promise<string[]>): Promise<string[]> {
  const problems: string[] = [];
  for (const route of routes()) {
    const response = await page.goto(route);
    expect(response?.status(), route).toBe(200);
    problems.push(...(await check(page, route)).map((p) => `${route}: ${p}`));
  }
  return problems;
}

test.describe('every page', () => {
  test.describe.configure({ timeout: 240_000 });

  test('has routes to check', () => {
    const r = routes();
    expect(r).toContain('/');
    expect(r).toContain('/docs/extensions/custom-maps');
    expect(r.filter((x) => x.startsWith('/docs/api/')).length).toBeGreaterThan(50);
  });

  test('shows no literal ::: (an admonition that did not render)', async ({ page }) => {
    const problems = await eachPage(page, async (p) => {
      const text = await p.locator('main').innerText();
      return text.split('\n').filter((l) => l.includes(':::')).map((l) => `'${l.trim().slice(0, 80)}'`);
    });
    expect(problems).toEqual([]);
  });

  test('has no code block wider than its column at 1280 px', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const problems = await eachPage(page, (p) =>
      p.evaluate(() => {
        const out: string[] = [];
        // Twoslash type popups are hidden until hovered, but still widen their block's scrollWidth.
        for (const popup of document.querySelectorAll<HTMLElement>('.twoslash-popup-container')) popup.style.display = 'none';
        for (const el of document.querySelectorAll<HTMLElement>('main pre, main .shiki-block')) {
          // A block inside another one (a twoslash popup) is the outer block's business.
          if (el.parentElement?.closest('pre, .shiki-block')) continue;
          const column = el.closest('article') ?? el.closest('main');
          if (!column) continue;
          const box = el.getBoundingClientRect();
          const col = column.getBoundingClientRect();
          const first = (el.textContent ?? '').trim().split('\n')[0]!.slice(0, 60);
          if (box.left < col.left - 1 || box.right > col.right + 1) {
            out.push(`the block '${first}' is ${Math.round(box.width)} px wide in a ${Math.round(col.width)} px column`);
          }
          // A block that does not scroll must hold its lines: their overflow would run over the column.
          const scrolls = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
          if (!scrolls && el.scrollWidth > el.clientWidth + 1) {
            out.push(`the lines of '${first}' are ${el.scrollWidth} px wide in a ${el.clientWidth} px block that does not scroll`);
          }
        }
        return out;
      }),
    );
    expect(problems).toEqual([]);
  });
});

/** Title case: every word capitalised, except short joining words after the first. */
function isTitleCase(label: string): boolean {
  const minor = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with']);
  return label.split(/\s+/).every((word, i) => {
    const letter = /[A-Za-z]/.exec(word)?.[0];
    if (letter === undefined) return true;
    return letter === letter.toUpperCase() || (i > 0 && minor.has(word.toLowerCase()));
  });
}

test('sidebar categories are in title case and guide pages start with a capital', async ({ page }) => {
  expect(isTitleCase('Type Aliases')).toBe(true);
  expect(isTitleCase('type-aliases')).toBe(false);
  expect(isTitleCase('classes')).toBe(false);
  const problems: string[] = [];
  for (const [route, guide] of [
    ['/docs/intro', true],
    ['/docs/extensions/custom-maps', true],
    ['/docs/api', false],
  ] as const) {
    await page.goto(route);
    const sidebar = page.locator('.theme-doc-sidebar-menu');
    const categories = await sidebar.locator('.theme-doc-sidebar-item-category > div > .menu__link').allInnerTexts();
    for (const c of categories) if (!isTitleCase(c.trim())) problems.push(`${route}: category '${c.trim()}'`);
    if (guide) {
      // Guide pages are titled in sentence case; API pages are named after identifiers (array, u32).
      const docs = await sidebar.locator('.theme-doc-sidebar-item-link .menu__link').allInnerTexts();
      for (const d of docs) if (!/^[^a-z]/.test(d.trim())) problems.push(`${route}: page '${d.trim()}'`);
    }
    if (route === '/docs/api') {
      expect(categories.map((c) => c.trim())).toEqual(expect.arrayContaining(['Classes', 'Functions', 'Interfaces', 'Type Aliases', 'Variables']));
    }
  }
  expect(problems).toEqual([]);
});

test('the landing page shows the install line and the quick-start example', async ({ page }) => {
  await page.goto('/');
  const main = page.locator('main');
  await expect(main.getByRole('heading', { name: 'Quick start' })).toBeVisible();
  await expect(main.locator('pre, .shiki-block').filter({ hasText: /^\s*npm install @bpfhost\/api\s*$/ })).toBeVisible();
  // The example shown is the file the docs tests run (its lines 4-13, as _quick-start.mdx includes them).
  const file = readFileSync(path.join(siteDir, 'examples/quick-start.ts'), 'utf8').split('\n').slice(3, 13);
  const shown = main.locator('.quick-start .shiki-block.twoslash');
  await expect(shown).toBeVisible();
  // The code's own text, without the (hidden) twoslash type popups.
  const code = await shown.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const popup of copy.querySelectorAll('.twoslash-popup-container')) popup.remove();
    return copy.textContent ?? '';
  });
  const text = code.split('\n').map((l) => l.trimEnd());
  expect(text.filter((l) => l !== '')).toEqual(file.map((l) => l.trimEnd()).filter((l) => l !== ''));
  await expect(main).toContainText('kept 86 bytes');
});
