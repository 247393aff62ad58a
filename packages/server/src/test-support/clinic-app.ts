/**
 * @module web-journeys/clinic-app
 *
 * What every journey of the clinic app needs: the demo clinic on a real server serving the
 * built app, a browser per person, and the steps people take in it (sign in, answer the
 * new-device email, register the passkey staff must have), each done through the page as a
 * person would: labels, buttons and headings, never internal selectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWebApp } from '../../../../tools/build-web.mjs';
import { startDemoServer, type DemoServer } from './demo-server.ts';
import {
  addVirtualAuthenticator,
  cspViolations,
  axeViolations,
  newPersonContext,
  overflowsHorizontally,
  watchContext,
  type PageWatch,
} from './chromium.ts';
import { codeIn } from './dpop-client.ts';
import { checkpointIfDue } from '../platform/audit/checkpoint/checkpointer.ts';
import { outboxMessages } from './outbox.ts';
import type { TestDialect } from './databases.ts';
import { mergeConfigSources } from '../config/load.ts';
import type { ConfigOverrides } from '../config/schema.ts';
import type { DemoAccount } from '../modules/demo/index.ts';

export interface Clinic {
  readonly demo: DemoServer;
  account(role: DemoAccount['role'], index?: number): DemoAccount;
  close(): Promise<void>;
}

/**
 * Builds the app once per test file into a directory of its own, and starts the seeded demo on
 * `dialect`, with `config` (e.g. sign-in providers) merged over the clinic's.
 */
export async function openClinic(
  dialect: TestDialect,
  options: { readonly config?: (url: string) => ConfigOverrides } = {},
): Promise<Clinic> {
  const webDir = mkdtempSync(path.join(tmpdir(), 'portcullis-web-'));
  await buildWebApp({ outdir: webDir, quiet: true });
  const demo = await startDemoServer({
    dialect,
    webDir,
    host: 'localhost',
    config: (url) => mergeConfigSources({ passkeys: { rpId: 'localhost', allowedOrigins: [url] } }, options.config?.(url)),
  });
  return {
    demo,
    account(role, index = 0) {
      const found = demo.accounts.filter((account) => account.role === role)[index];
      if (!found) throw new Error(`the demo has no ${role} #${index}`);
      return found;
    },
    async close() {
      await demo.close();
      rmSync(webDir, { recursive: true, force: true });
    },
  };
}

export interface Person {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly watch: PageWatch;
}

/** A person's own browser (storage of its own), with a platform authenticator for passkeys. */
export async function personIn(browser: Browser, clinic: Clinic, options: { width?: number } = {}): Promise<Person> {
  const context = await newPersonContext(browser, options);
  const watch = await watchContext(context);
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(`${clinic.demo.url}/`);
  await expectView(page, 'Sign in');
  return { page, context, watch };
}

/** The level-1 heading of the view now shown. */
export async function heading(page: Page): Promise<string | null> {
  return page.getByRole('heading', { level: 1 }).textContent();
}

/** Waits until the view with heading `title` shows (usable in hooks too, unlike `expect.poll`). */
export async function expectView(page: Page, title: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor({ timeout: 15_000 });
}

/** Waits until the view is no longer the one headed `title`; a timeout reports what the page says. */
async function leaveView(page: Page, title: string): Promise<void> {
  try {
    await page.waitForFunction(
      (from) =>
        (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('h1')
          ?.textContent !== from,
      title,
      { timeout: 15_000 },
    );
  } catch (error) {
    const alerts = await page.getByRole('alert').allTextContents();
    throw new Error(`still on "${title}"; the page says: ${JSON.stringify(alerts)}`, { cause: error });
  }
}

/**
 * Signs in with the email and password through the form, answering a new-device confirmation
 * with the emailed code when the server asks for one. Ends on the first view after sign-in.
 */
export async function signInWithPassword(clinic: Clinic, page: Page, account: DemoAccount): Promise<void> {
  const { app } = clinic.demo.server;
  const mailsBefore = (await outboxMessages(app, { to: account.email })).length;
  await page.getByRole('textbox', { name: 'Email' }).fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await leaveView(page, 'Sign in');
  if ((await heading(page)) === 'Confirm this device') {
    await page.getByLabel('Code', { exact: true }).fill(codeIn(await newMail(app, account.email, mailsBefore)));
    await page.getByRole('button', { name: 'Continue' }).click();
    await leaveView(page, 'Confirm this device');
  }
}

/** How many messages to `to` the development outbox holds. */
export async function mailCount(clinic: Clinic, to: string): Promise<number> {
  return (await outboxMessages(clinic.demo.server.app, { to })).length;
}

/** The body of the newest message to `to` once more than `seen` have arrived (mail leaves off the request path). */
export async function newMail(app: DemoServer['server']['app'], to: string, seen: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = await outboxMessages(app, { to });
    if (messages.length > seen && messages[0]) return messages[0].text;
    if (Date.now() > deadline) throw new Error(`no new mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Staff's first sign-in: the password opens a session that can only register a passkey; registering it signs in. */
export async function registerFirstPasskey(page: Page): Promise<void> {
  await expectView(page, 'Register a passkey');
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await expectView(page, 'Home');
}

/** A staff member's browser after the first sign-in: password, then the passkey staff must register. */
export async function staffIn(
  browser: Browser,
  clinic: Clinic,
  role: DemoAccount['role'],
  options: { width?: number } = {},
): Promise<Person> {
  const person = await personIn(browser, clinic, options);
  await signInWithPassword(clinic, person.page, clinic.account(role));
  await registerFirstPasskey(person.page);
  return person;
}

/**
 * Signs an audit checkpoint of the whole log now, as the server's schedule would within a
 * minute, so the newest entries can be proven at once.
 */
export async function signAuditCheckpointNow(clinic: Clinic): Promise<void> {
  const { database, clock, keyRing } = clinic.demo.server.app.portcullis;
  await checkpointIfDue({ db: database.db, clock, keyRing, config: clinic.demo.config }, { force: true });
}

/** No WCAG 2.2 AA violation, no sideways scrolling, no script error or CSP violation so far. */
export async function expectSoundPage(person: Person, where: string): Promise<void> {
  expect(await axeViolations(person.page), `axe on ${where}`).toEqual([]);
  expect(await overflowsHorizontally(person.page), `horizontal overflow on ${where}`).toBe(false);
  expect(person.watch.problems, `errors on ${where}`).toEqual([]);
  expect(await cspViolations(person.page), `CSP violations on ${where}`).toEqual([]);
}

/** Goes to a view through the main navigation, as a person would. */
export async function openFromNavigation(page: Page, link: string, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await expectView(page, title);
}
