/**
 * Security and privacy pages, as a patient uses them in Chromium against the seeded demo:
 * set up an authenticator app from its QR code (the code typed is computed from the key the
 * page shows as text), regenerate recovery codes after the inline step-up, sign out another
 * session, change who sees a profile field and see the label change, preview what the care team
 * sees, export the data. Every page passes axe with no CSP violation.
 *
 * ASVS V6.5 (TOTP enrolment), V7.4.5 (remote sign-out of sessions), V8.1.1 / V14.2.x (the person
 * sees and controls who sees each field), V14.3.3 (export of one's own data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { authenticatorCode } from '../modules/mfa/test-support/mfa-harness.ts';
import { chromiumAvailable, launchChromium } from '../test-support/chromium.ts';
import {
  expectSoundPage,
  expectView,
  openClinic,
  openFromNavigation,
  personIn,
  signInWithPassword,
  type Clinic,
  type Person,
} from '../test-support/clinic-app.ts';

describe.runIf(chromiumAvailable('the clinic app account-page journeys'))('clinic app: security and privacy (Chromium, SQLite)', () => {
  let clinic: Clinic;
  let browser: Browser;
  let person: Person;
  /** Recovery codes shown after the last regeneration, for later step-ups. */
  let recoveryCodes: string[] = [];
  beforeAll(async () => {
    clinic = await openClinic('sqlite');
    browser = await launchChromium();
    person = await personIn(browser, clinic);
    await signInWithPassword(clinic, person.page, clinic.account('patient'));
    await expectView(person.page, 'Home');
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await clinic.close();
  });

  it('V7.4.5: signs out the patient’s other session from the session list', async () => {
    const other = await personIn(browser, clinic);
    await signInWithPassword(clinic, other.page, clinic.account('patient'));
    const { page } = person;
    await openFromNavigation(page, 'Security', 'Security');
    const sessions = page.getByRole('list', { name: 'Your sessions' });
    await expect.poll(() => sessions.getByRole('listitem').count()).toBe(2);
    await sessions.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => sessions.getByRole('listitem').count()).toBe(1);
    // The other browser is signed out on its next request.
    await other.page.reload();
    await expectView(other.page, 'Sign in');
    await other.context.close();
  });

  it('V6.5.1: sets up an authenticator app from the page’s key and regenerates recovery codes after the inline step-up', async () => {
    const { page } = person;
    await openFromNavigation(page, 'Security', 'Security');
    await expectSoundPage(person, 'security');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    // The key as the page shows it for typing into an app by hand.
    const key = (await page.locator('p.secret').textContent())?.replace(/\s+/g, '') ?? '';
    expect(key).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('Code from the app').fill(authenticatorCode(key, Date.now()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    await page.getByRole('button', { name: 'I have saved them' }).click();

    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    await dialog.getByLabel('Code from your authenticator app').fill(authenticatorCode(key, Date.now(), 1));
    await dialog.getByRole('button', { name: 'Confirm with the code' }).click();
    await page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    recoveryCodes = (await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents()).map((code) =>
      code.trim(),
    );
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
    await expectSoundPage(person, 'security after set-up');
  });

  it('V8.1.1: narrows who sees the pronouns, sees its label change, previews the care team’s view and exports the data', async () => {
    const { page } = person;
    await openFromNavigation(page, 'Privacy', 'Privacy');
    await expectSoundPage(person, 'privacy');
    await page.getByRole('button', { name: 'Edit my profile' }).click();
    await page.getByLabel('Who can see your pronouns').selectOption({ label: 'Care team' });
    await page.getByRole('button', { name: 'Save my profile' }).click();
    const pronouns = page.locator('.fields > div').filter({ hasText: 'Pronouns' });
    await expect.poll(() => pronouns.textContent()).toContain('Care team');

    await page.getByRole('button', { name: 'See what my care team sees' }).click();
    await page.getByRole('heading', { name: 'What your care team sees' }).waitFor();
    await expectSoundPage(person, 'privacy preview');

    // Export needs a recent second factor: the step-up dialog opens inline, and the export
    // completes once it is answered (here with a recovery code).
    await page.getByRole('button', { name: 'Export my data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    await expectSoundPage(person, 'step-up dialog');
    await dialog.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await dialog.getByLabel('A recovery code').fill(recoveryCodes[0] ?? '');
    await dialog.getByRole('button', { name: 'Confirm with the code' }).click();
    await page.getByRole('link', { name: 'Download my data (JSON)' }).waitFor();
  });
});
