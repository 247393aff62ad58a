/**
 * The API reference in a real browser (Debian's Chromium, headless) served by the real server:
 * no sideways scrolling at desktop (1,280 px) and phone (360 px) widths, the filter box narrows
 * the operations, nothing breaks the page's strict CSP (its own script and stylesheet only,
 * Trusted Types with no policy), and axe-core finds no WCAG 2.2 A/AA violation.
 *
 * Outside CI the test is skipped (loudly) when /usr/bin/chromium is missing; with CI=true a
 * missing Chromium fails it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../../server.ts';
import { startRealTestServer } from '../../../test-support/real-server.ts';
import {
  axeViolations,
  chromiumAvailable,
  cspViolations,
  launchChromium,
  newPersonContext,
  watchContext,
  type PageWatch,
} from '../../../test-support/chromium.ts';

describe.runIf(chromiumAvailable('the API reference browser test'))('API reference in Chromium', () => {
  let server: RunningServer | undefined;
  let baseUrl = '';
  let browser: Browser | undefined;
  const watches: PageWatch[] = [];

  beforeAll(async () => {
    ({ server, baseUrl } = await startRealTestServer());
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openDocs(width: number): Promise<Page> {
    if (!browser) throw new Error('browser not started');
    const context = await newPersonContext(browser, { width });
    watches.push(await watchContext(context));
    const page = await context.newPage();
    const response = await page.goto(`${baseUrl}/docs`);
    expect(response?.status()).toBe(200);
    await page.locator('#search').waitFor({ state: 'visible' });
    return page;
  }

  it.each([1280, 360])('fits a %i px wide window without horizontal scrolling', async (width) => {
    const page = await openDocs(width);
    const innerWidth = await page.evaluate<number>('window.innerWidth');
    expect(innerWidth).toBe(width);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(innerWidth);
    // Opened examples wrap too.
    await page.evaluate(`document.querySelectorAll('details').forEach((details) => { details.open = true; })`);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(innerWidth);
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('lists every operation without script, and hides the filter box that would do nothing', async () => {
    if (!browser) throw new Error('browser not started');
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/docs`);
    const operations = await page.locator('article.operation').count();
    expect(operations).toBeGreaterThan(50);
    expect(await page.locator('article.operation:visible').count()).toBe(operations);
    expect(await page.locator('#search').isVisible()).toBe(false);
    await context.close();
  });

  it('filters the operations as the reader types, by path, permission or error code', async () => {
    const page = await openDocs(1280);
    const visibleOperations = () => page.locator('article.operation:visible').count();
    const total = await visibleOperations();
    expect(total).toBeGreaterThan(50);
    await page.locator('#search').fill('/v1/sessions/refresh');
    await expect.poll(visibleOperations).toBe(1);
    await expect.poll(() => page.locator('#search-status').textContent()).toBe(`1 of ${total} operations match`);
    await page.locator('#search').fill('audit:read');
    const byPermission = await visibleOperations();
    expect(byPermission).toBeGreaterThan(0);
    expect(byPermission).toBeLessThan(total);
    await page.locator('#search').fill('STEP_UP_REQUIRED');
    const stepUp = await visibleOperations();
    expect(stepUp).toBeGreaterThan(0);
    expect(stepUp).toBeLessThan(total);
    await page.locator('#search').fill('');
    await expect.poll(visibleOperations).toBe(total);
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  // One width: axe takes tens of seconds on a page of a hundred operations, and the two widths
  // share every element, name and colour.
  it('has no axe-core violations (WCAG 2.2 A and AA, best practices)', async () => {
    const page = await openDocs(1280);
    expect(await axeViolations(page, { bestPractice: true })).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('logs no errors in the console (no CSP or Trusted Types refusal)', () => {
    expect(watches.flatMap((watch) => watch.problems)).toEqual([]);
  });
});
