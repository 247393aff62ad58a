/**
 * @module test-support/chromium
 *
 * Debian's Chromium through playwright-core for the browser tests: launching it (skipped loudly
 * outside CI when it is missing, a failure in CI), a CDP virtual authenticator for passkeys, an
 * axe-core accessibility check, and a watch over the page for script errors and Content
 * Security Policy violations (a test that passes while the app throws or the CSP blocks
 * something proves little).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const IN_CI = process.env['CI'] === 'true';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Whether browser tests run here; prints why when they do not (never in CI, where they fail instead). */
export function chromiumAvailable(what: string): boolean {
  if (!HAS_CHROMIUM && !IN_CI) {
    process.stderr.write(`\n*** Chromium not found at ${CHROMIUM}: ${what} is SKIPPED. Install it with apt-get install chromium. ***\n\n`);
  }
  return HAS_CHROMIUM || IN_CI;
}

export async function launchChromium(): Promise<Browser> {
  if (!HAS_CHROMIUM) throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 30_000 });
}

/** A context as a person's browser: its own storage, a phone or desktop viewport. */
export async function newPersonContext(browser: Browser, options: { width?: number; height?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** A platform authenticator with user verification, answering every ceremony at once. */
export async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

export interface PageWatch {
  /** Uncaught errors, console errors and CSP / Trusted Types violations seen so far. */
  readonly problems: string[];
}

/**
 * Records each CSP violation the browser dispatches, in the page (given as text: it runs there,
 * not here), before the page's own script and outside its CSP.
 */
const RECORD_CSP_VIOLATIONS = `globalThis.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => globalThis.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));`;

/** Collects uncaught errors and console errors (CSP and Trusted Types refusals among them, not failed responses) of every page in `context`. */
export async function watchContext(context: BrowserContext): Promise<PageWatch> {
  const problems: string[] = [];
  const watch = (page: Page): void => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every non-2xx response as "Failed to load resource"; a 401 asking for a
      // DPoP nonce is the protocol working, so those lines are not problems.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console error: ${message.text()}`);
    });
  };
  await context.addInitScript(RECORD_CSP_VIOLATIONS);
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return { problems };
}

/** The CSP violations the page has seen since it loaded (needs {@link watchContext}). */
export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('globalThis.cspViolations ?? []');
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * WCAG 2.2 AA violations axe-core finds on the page as it is now (rules tagged wcag2a, wcag2aa,
 * wcag21a, wcag21aa, wcag22aa; and axe's best practices when asked). axe is evaluated through the DevTools protocol, which the page's
 * CSP does not govern, so the page keeps its real policy while it is checked.
 */
export async function axeViolations(page: Page, options: { bestPractice?: boolean } = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', ...(options.bestPractice ? ['best-practice'] : [])];
  // A string, not a function: the server's type project has no DOM types.
  return page.evaluate<AxeViolation[]>(`axe
    .run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} }, resultTypes: ['violations'] })
    .then((result) => result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    })))`);
}

/** Whether the page scrolls sideways (content wider than the viewport). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
}
