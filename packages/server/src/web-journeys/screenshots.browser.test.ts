/**
 * Screenshots of the clinic app's main pages, one role after another, at 1,280 × 800 against
 * the seeded demo: what the documentation shows. `npm run screenshots` writes them into
 * docs/screenshots (through `SCREENSHOTS_DIR`); otherwise they go to a temporary directory and
 * are only checked to be PNG images, so the suite proves the script keeps working.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../test-support/chromium.ts';
import {
  expectView,
  openClinic,
  openFromNavigation,
  personIn,
  signAuditCheckpointNow,
  signInWithPassword,
  staffIn,
  type Clinic,
} from '../test-support/clinic-app.ts';

/** The tallest capture: longer pages are cut there, so the images stay small. */
const MAX_HEIGHT = 2000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.runIf(chromiumAvailable('the clinic app screenshots'))('clinic app: screenshots of the main pages (Chromium, SQLite)', () => {
  const wanted = process.env['SCREENSHOTS_DIR'];
  const dir = wanted ? path.resolve(wanted) : mkdtempSync(path.join(tmpdir(), 'portcullis-screenshots-'));
  const written: string[] = [];
  let clinic: Clinic;
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    clinic = await openClinic('sqlite');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await clinic.close();
    if (!wanted) rmSync(dir, { recursive: true, force: true });
  });

  /** The page as shown, down to its end or {@link MAX_HEIGHT}, whichever comes first. */
  async function capture(page: Page, name: string): Promise<void> {
    // Nothing blinks or moves in a screenshot: no caret, no focus ring of the last click.
    await page.evaluate('document.activeElement?.blur?.()');
    const height = Math.min(await page.evaluate<number>('document.documentElement.scrollHeight'), MAX_HEIGHT);
    const file = path.join(dir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: 1280, height }, caret: 'hide', animations: 'disabled' });
    written.push(file);
  }

  it('the sign-in page and a patient’s pages', async () => {
    const patient = await personIn(browser, clinic);
    const { page } = patient;
    await capture(page, 'sign-in');
    await signInWithPassword(clinic, page, clinic.account('patient'));
    await expectView(page, 'Home');
    await capture(page, 'patient-home');
    await openFromNavigation(page, 'My file', 'My file');
    await page.getByRole('heading', { name: 'Entries' }).waitFor();
    await page.getByText('Penicillin').waitFor();
    await capture(page, 'patient-my-file');
    await openFromNavigation(page, 'Who can see my file', 'Who can see my file');
    await page.getByText('Dr Priya Shah').first().waitFor();
    await capture(page, 'patient-sharing');
    await openFromNavigation(page, 'Messages', 'Messages');
    // The first visit sets this browser up as a messaging device (keys made and published).
    await page.getByRole('heading', { name: 'Conversations' }).waitFor({ timeout: 60_000 });
    await capture(page, 'patient-messages');
    await openFromNavigation(page, 'Privacy', 'Privacy');
    await capture(page, 'patient-privacy');
    await openFromNavigation(page, 'Security', 'Security');
    await page.getByRole('list', { name: 'Your sessions' }).waitFor();
    await capture(page, 'patient-security');
    await patient.context.close();
  });

  it('a clinician’s patients and one patient’s file', async () => {
    const clinician = await staffIn(browser, clinic, 'clinician');
    const { page } = clinician;
    await openFromNavigation(page, 'My patients', 'My patients');
    const patientLink = page.getByRole('link', { name: 'Alex Morgan', exact: true });
    await patientLink.waitFor();
    await capture(page, 'clinician-patients');
    await patientLink.click();
    await expectView(page, 'File of Alex Morgan');
    await page.getByText('Penicillin').waitFor();
    await capture(page, 'clinician-patient-file');
    await clinician.context.close();
  });

  it('support’s account help with an account found', async () => {
    const support = await staffIn(browser, clinic, 'support');
    const { page } = support;
    await openFromNavigation(page, 'Account help', 'Account help');
    await page.getByRole('searchbox', { name: 'Email address or account id' }).fill(clinic.account('patient').email);
    await page.getByRole('button', { name: 'Find account' }).click();
    await page.getByRole('heading', { name: 'Account details' }).waitFor();
    await capture(page, 'support-account-help');
    await support.context.close();
  });

  it('the admin’s accounts and security overview', async () => {
    const admin = await staffIn(browser, clinic, 'admin');
    const { page } = admin;
    await openFromNavigation(page, 'Accounts', 'Accounts');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('table', { name: 'Accounts found, newest first' }).waitFor();
    await capture(page, 'admin-accounts');
    await openFromNavigation(page, 'Security overview', 'Security overview');
    await page.getByRole('table', { name: 'Second-factor coverage per role' }).waitFor();
    await capture(page, 'admin-security-overview');
    await admin.context.close();
  });

  it('the auditor’s audit log with a verified entry', async () => {
    const auditor = await staffIn(browser, clinic, 'auditor');
    const { page } = auditor;
    await openFromNavigation(page, 'Audit log', 'Audit log');
    await page.getByLabel('Event', { exact: true }).fill('passkey.registered');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page
      .getByRole('table', { name: 'Audit entries, newest first' })
      .getByRole('button', { name: /^Open entry / })
      .first()
      .click();
    await signAuditCheckpointNow(clinic);
    await page.getByRole('button', { name: 'Load the latest checkpoint' }).click();
    await page.getByText('Valid: checked in your browser (Ed25519)').waitFor();
    await page.getByRole('button', { name: 'Verify its inclusion proof' }).click();
    await page.getByText('Verified in your browser').waitFor();
    await capture(page, 'auditor-audit-log');
    await auditor.context.close();
  });

  it('wrote every screenshot as a PNG image', () => {
    expect(written).toHaveLength(13);
    expect(readdirSync(dir).filter((file) => file.endsWith('.png'))).toEqual(
      expect.arrayContaining(written.map((file) => path.basename(file))),
    );
    for (const file of written) expect(readFileSync(file).subarray(0, 8).equals(PNG_SIGNATURE), file).toBe(true);
  });
});
