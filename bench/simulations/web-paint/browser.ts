/**
 * @module bench/simulations/web-paint/browser
 *
 * One round of the web-paint benchmark in Chromium: a fresh browser context (a person's new
 * browser) signs in as the demo patient through the sign-in form, answering the new-device
 * email with the code from the development outbox, then loads the patient home `/` cold, the
 * session already stored, and reads what the page measured of itself. Every step goes through the
 * page as a person would (labels, buttons, headings), as the browser journeys do
 * (packages/server/src/test-support/clinic-app.ts).
 *
 * The page measures with a script Chromium injects before the document's own (DevTools protocol,
 * so the app's CSP is untouched): first contentful paint from the `paint` entries, and the
 * meaningful paint, the first frame painted after the home view's level-1 heading "Home" and its
 * main navigation are in the document (a MutationObserver notes when they are, then a
 * `requestAnimationFrame` followed by a task runs just after that frame is painted). Every time
 * is `performance.now()`, milliseconds since the navigation started.
 */
import type { Browser, Page } from 'playwright-core';
import { newPersonContext, watchContext } from '../../../packages/server/src/test-support/chromium.js';
import type { DemoAccount } from '../../../packages/server/src/modules/demo/accounts-file.js';

const STEP_TIMEOUT_MS = 15_000;
const POLL_MS = 25;

export interface PaintRound {
  readonly round: number;
  /** First contentful paint, ms since navigation start. */
  readonly firstContentfulPaintMs: number;
  /** The home view's heading and navigation in the document, ms since navigation start. */
  readonly homeInDocumentMs: number;
  /** The first frame painted with them: the meaningful paint. */
  readonly homePaintedMs: number;
  /** JavaScript files fetched until then, and their bytes on the wire (headers included) and decoded. */
  readonly scripts: number;
  readonly scriptTransferBytes: number;
  readonly scriptDecodedBytes: number;
  /** Every resource of the load (document, scripts, stylesheet, icon, API calls) until then. */
  readonly requests: number;
  readonly transferBytes: number;
  /** Server CPU (every thread) from the navigation until the network went quiet. */
  readonly serverCpuMs: number;
}

/** What the measured page reports about itself (`globalThis.__webPaint`). */
interface PageMarks {
  readonly fcp: number | null;
  readonly homeInDocument: number | null;
  readonly homePainted: number | null;
}

const MEASURE = `(() => {
  const marks = { fcp: null, homeInDocument: null, homePainted: null };
  globalThis.__webPaint = marks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name === 'first-contentful-paint') marks.fcp = entry.startTime;
  }).observe({ type: 'paint', buffered: true });
  const homeShown = () =>
    document.querySelector('h1')?.textContent === 'Home' && document.querySelector('nav[aria-label="Main"] a') !== null;
  const observer = new MutationObserver(() => {
    if (marks.homeInDocument !== null || !homeShown()) return;
    marks.homeInDocument = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { marks.homePainted = performance.now(); }, 0));
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();`;

const RESOURCES = `(() => performance.getEntriesByType('resource').map((entry) => ({
  name: entry.name,
  transferSize: entry.transferSize,
  decodedBodySize: entry.decodedBodySize,
})).concat(performance.getEntriesByType('navigation').map((entry) => ({
  name: entry.name,
  transferSize: entry.transferSize,
  decodedBodySize: entry.decodedBodySize,
}))))()`;

interface Resource {
  readonly name: string;
  readonly transferSize: number;
  readonly decodedBodySize: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heading(page: Page): Promise<string | null> {
  return page.getByRole('heading', { level: 1 }).first().textContent({ timeout: STEP_TIMEOUT_MS });
}

/** Polls the level-1 heading until `wanted` holds; throws with what was shown instead. */
async function untilHeading(page: Page, wanted: (title: string | null) => boolean, what: string): Promise<string | null> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const title = await heading(page).catch(() => null);
    if (wanted(title)) return title;
    if (Date.now() > deadline) throw new Error(`${what}: the page still shows "${title}" after ${STEP_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

interface OutboxMessage {
  readonly id: string;
  readonly to: string;
  readonly text: string;
}

/** The new-device code sent to `email` since `seen` was taken, from the development outbox route. */
async function emailedCode(page: Page, url: string, email: string, seen: ReadonlySet<string>): Promise<string> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const response = await page.context().request.get(`${url}/v1/dev/outbox?limit=20`);
    if (!response.ok()) throw new Error(`GET /v1/dev/outbox answered ${response.status()}`);
    const { messages } = (await response.json()) as { messages: OutboxMessage[] };
    const mail = messages.find((message) => message.to === email && !seen.has(message.id));
    const code = mail && /\b(\d{6,10})\b/.exec(mail.text)?.[1];
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`no new-device code for ${email} in the outbox after ${STEP_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

async function outboxIds(page: Page, url: string): Promise<Set<string>> {
  const response = await page.context().request.get(`${url}/v1/dev/outbox?limit=100`);
  const { messages } = (await response.json()) as { messages: OutboxMessage[] };
  return new Set(messages.map((message) => message.id));
}

/** Signs in through the form; answers the new-device confirmation; ends on the home view. */
async function signIn(page: Page, url: string, account: DemoAccount): Promise<void> {
  await page.goto(`${url}/`);
  await untilHeading(page, (title) => title === 'Sign in', 'opening the app');
  const seen = await outboxIds(page, url);
  await page.getByRole('textbox', { name: 'Email' }).fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const next = await untilHeading(page, (title) => title !== null && title !== 'Sign in', 'signing in');
  if (next === 'Confirm this device') {
    await page.getByLabel('Code', { exact: true }).fill(await emailedCode(page, url, account.email, seen));
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await untilHeading(page, (title) => title === 'Home', 'after signing in');
}

async function pageMarks(page: Page): Promise<PageMarks> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const marks = await page.evaluate<PageMarks | undefined>('globalThis.__webPaint');
    if (marks?.fcp != null && marks.homePainted != null) return marks;
    if (Date.now() > deadline) throw new Error(`the home view did not paint within ${STEP_TIMEOUT_MS} ms: ${JSON.stringify(marks)}`);
    await sleep(POLL_MS);
  }
}

/**
 * One round: sign in in a new context, then a cold load of `/` (the browser cache cleared; the
 * session stays in IndexedDB). `serverCpuMs` reads the server's CPU time so far.
 */
export async function measureRound(
  browser: Browser,
  options: { readonly round: number; readonly url: string; readonly patient: DemoAccount; readonly serverCpuMs: () => number },
): Promise<PaintRound> {
  const context = await newPersonContext(browser);
  const watch = await watchContext(context);
  try {
    const page = await context.newPage();
    await signIn(page, options.url, options.patient);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.addInitScript({ content: MEASURE });
    const cpuBefore = options.serverCpuMs();
    await page.goto(`${options.url}/`);
    const marks = await pageMarks(page);
    const resources = await page.evaluate<Resource[]>(RESOURCES);
    // The view's own API calls may still be answering after its first paint: count them too.
    await page.waitForLoadState('networkidle');
    const serverCpuMs = options.serverCpuMs() - cpuBefore;
    if (watch.problems.length > 0) throw new Error(`the app reported problems:\n${watch.problems.join('\n')}`);
    const scripts = resources.filter((resource) => new URL(resource.name).pathname.endsWith('.js'));
    const sum = (items: readonly Resource[], key: 'transferSize' | 'decodedBodySize') =>
      items.reduce((total, item) => total + item[key], 0);
    return {
      round: options.round,
      firstContentfulPaintMs: marks.fcp ?? Number.NaN,
      homeInDocumentMs: marks.homeInDocument ?? Number.NaN,
      homePaintedMs: marks.homePainted ?? Number.NaN,
      scripts: scripts.length,
      scriptTransferBytes: sum(scripts, 'transferSize'),
      scriptDecodedBytes: sum(scripts, 'decodedBodySize'),
      requests: resources.length,
      transferBytes: sum(resources, 'transferSize'),
      serverCpuMs,
    };
  } finally {
    await context.close();
  }
}
