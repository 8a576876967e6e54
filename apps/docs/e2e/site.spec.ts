// The built site in Chromium: the main pages and their headings, the custom maps page's sections, a
// twoslash type tooltip, search, dark mode, and screenshots of the landing and custom maps pages
// (test-results/screenshots/).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { expect, test, type Page } from '@playwright/test';

const siteDir = path.resolve(__dirname, '..');
const shots = path.join(siteDir, 'test-results/screenshots');

/** A page's title as its h1 shows it: the first `# ` heading, else the front matter's title. */
function pageTitle(file: string): string {
  const text = readFileSync(path.join(siteDir, 'docs', file), 'utf8');
  const h1 = /^# (.+)$/m.exec(text.replace(/```[\s\S]*?```/g, ''));
  if (h1) return h1[1]!.trim().replace(/`/g, '');
  const fm = /^title:\s*['"]?(.+?)['"]?\s*$/m.exec(text);
  if (!fm) throw new Error(`${file}: no title`);
  return fm[1]!;
}

/** The route of docs/<file> (files without a slug). */
const route = (file: string): string => `/docs/${file.replace(/\.mdx?$/, '')}`;

const docs = (dir: string): string[] =>
  readdirSync(path.join(siteDir, 'docs', dir))
    .filter((f) => /\.mdx?$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);

async function expectH1(page: Page, url: string, title: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(200);
  await expect(page.locator('article h1').first()).toHaveText(title);
}

test('the landing page links to both guides', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('bpfhost');
  await expect(page.getByRole('link', { name: 'User guide' }).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Extension guide' }).first()).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'landing.png'), fullPage: true });
});

test('the introduction and the navbar', async ({ page }) => {
  await expectH1(page, '/docs/intro', 'Introduction');
  const navbar = page.locator('nav.navbar');
  for (const item of ['User guide', 'Extension guide', 'API reference', 'Next']) {
    await expect(navbar.getByRole('link', { name: item, exact: true })).toBeVisible();
  }
  await navbar.getByRole('link', { name: 'API reference', exact: true }).click();
  await expect(page).toHaveURL(/\/docs\/api\/?$/);
  await expect(page.locator('article h1').first()).toHaveText('@bpfhost/api');
});

test('the user guide pages', async ({ page }) => {
  const pages = docs('user-guide');
  expect(pages.length).toBe(11);
  for (const file of pages) await expectH1(page, route(file), pageTitle(file));
});

test('the extension guide pages, the architecture and the extension.h reference', async ({ page }) => {
  const pages = [...docs('extensions'), 'architecture.md', ...docs('reference')];
  expect(pages.length).toBeGreaterThanOrEqual(9);
  for (const file of pages) await expectH1(page, route(file), pageTitle(file));
  // The architecture page's diagrams are rendered by mermaid.
  await page.goto('/docs/architecture');
  await expect(page.locator('.docusaurus-mermaid-container svg').first()).toBeVisible();
});

test('the custom maps page has its ten sections', async ({ page }) => {
  await page.goto('/docs/extensions/custom-maps');
  const h2 = (await page.locator('article h2').allTextContents()).map((t) => t.replace(/\u200b/g, '').trim());
  expect(h2).toEqual([
    'When to write a custom map',
    'Provider data',
    'Base map types',
    'updates_original_value',
    'The dispatch table',
    'Contract v2',
    'The client dispatch table and epochs',
    'MAP_CONTEXT in helpers',
    'When a provider unloads',
    'Map type numbering',
  ]);
  await page.screenshot({ path: path.join(shots, 'custom-maps.png'), fullPage: true });
});

test('the API reference has a page per export', async ({ page }) => {
  await page.goto('/docs/api');
  await expect(page.locator('article h1').first()).toHaveText('@bpfhost/api');
  await page.locator('article').getByRole('link', { name: 'BpfMap', exact: true }).click();
  await expect(page).toHaveURL(/\/docs\/api\/classes\/BpfMap\/?$/);
  await expect(page.locator('article h1').first()).toContainText('BpfMap');
});

test('hovering a twoslash token shows its real type', async ({ page }) => {
  await page.goto('/docs/user-guide/maps');
  // The token `bucketStats` where it is declared: its popup holds the declaration.
  const token = page
    .locator('.twoslash-hover')
    .filter({ has: page.locator('.twoslash-popup-code', { hasText: /^const bucketStats: / }) })
    .first();
  const popup = token.locator('.twoslash-popup-container');
  await expect(popup).toHaveCSS('opacity', '0');
  // Aim at the token itself: its box includes the hidden popup (see TOOLCHAIN §5).
  await token.hover({ position: { x: 5, y: 5 } });
  await expect(popup).toHaveCSS('opacity', '1');
  await expect(popup).toContainText('const bucketStats: StructCodec<StructOf<{');
  await expect(popup).toContainText('packets: Codec<bigint>;');
  await page.screenshot({ path: path.join(shots, 'twoslash-hover.png') });
});

test('search finds a page and lands on it', async ({ page }) => {
  await page.goto('/docs/intro');
  const box = page.getByPlaceholder('Search');
  await box.click();
  await box.fill('accumulator');
  const first = page.getByRole('option').first();
  await expect(first).toBeVisible();
  await first.click();
  await expect(page).not.toHaveURL(/\/docs\/intro\/?$/);
  await expect(page).toHaveURL(/\/docs\//);
  await expect(page.locator('article h1').first()).toBeVisible();
  await expect(page.locator('article')).toContainText(/accumulator/i);
});

test('dark mode follows the OS and toggles', async ({ browser }) => {
  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await page.goto('/docs/intro');
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    await context.close();
  }
  const context = await browser.newContext({ colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto('/docs/intro');
  // The toggle cycles through system, light and dark.
  const toggle = page.getByRole('button', { name: /dark mode|light mode|system mode/i });
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== 'dark'; i++) await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme-choice', 'dark');
  // The choice survives a reload (it is stored in localStorage).
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await context.close();
});
