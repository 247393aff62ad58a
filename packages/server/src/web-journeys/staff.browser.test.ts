/**
 * The staff views of the clinic app, one journey per role, in Chromium against the seeded demo:
 * support finds the demo patient and sees masked details only (and no medical data or private
 * profile value reaches support's browser at all, on screen or over the network); an admin
 * locks and unlocks the patient, approves the temporary role support asked for and ends it, and
 * reads the security overview; the auditor verifies an entry's inclusion proof in the browser,
 * and sees a tampered proof fail. Every page passes axe at 1,280 px, and one per role at 360 px.
 *
 * ASVS V8.2.1 / V8.2.2 (function- and data-level access: support reaches no medical data),
 * V7.4.2 (locking an account ends its sessions), V2.3.5 (a temporary role needs a second
 * person's approval), V16.4.2 (audit log integrity, checked by the auditor's own browser).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEMO_ENTRIES, DEMO_PEOPLE } from '../modules/demo/clinic.ts';
import { chromiumAvailable, launchChromium } from '../test-support/chromium.ts';
import {
  expectSoundPage,
  expectView,
  openClinic,
  openFromNavigation,
  personIn,
  registerFirstPasskey,
  signAuditCheckpointNow,
  signInWithPassword,
  staffIn,
  type Clinic,
  type Person,
} from '../test-support/clinic-app.ts';
import type { DemoAccount } from '../modules/demo/index.ts';

/** What support must never see: every seeded file entry's text, and the patients' non-public profile values. */
const MEDICAL_AND_PRIVATE: readonly string[] = [
  ...DEMO_ENTRIES.flatMap((entry) =>
    Object.entries(entry.fields)
      .filter(([field]) => field !== 'kind')
      .map(([, value]) => value),
  ),
  'Penicillin',
  'asthma',
  'Salbutamol',
  'blood pressure',
  ...DEMO_PEOPLE.filter((person) => person.role === 'patient').flatMap((person) =>
    Object.entries(person.profile)
      .filter(([field]) => person.sharing[field] !== 'public')
      .map(([, value]) => value),
  ),
];

const ELEVATION_REASON = 'Ticket 4521: unlock a clinic account out of hours';

/** Confirms with the passkey when the action asks for a step-up, then waits for `done`. */
async function throughStepUp(page: Page, done: Locator): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await dialog.or(done).first().waitFor();
  if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Confirm with a passkey' }).click();
  await done.waitFor();
}

/** Checks the page as it is now at phone width, then goes back to the desktop width. */
async function expectSoundOnPhone(person: Person, where: string): Promise<void> {
  await person.page.setViewportSize({ width: 360, height: 800 });
  await expectSoundPage(person, `${where} at 360 px`);
  await person.page.setViewportSize({ width: 1280, height: 800 });
}

describe.runIf(chromiumAvailable('the clinic app staff journeys'))('clinic app: staff views (Chromium, SQLite)', () => {
  let clinic: Clinic;
  let browser: Browser;
  let patient: DemoAccount;
  /** Support's browser, signed in by the first journey; the admin journey approves its request. */
  let support: Person;
  /** Every response body support's browser received. */
  const supportBodies: Promise<string>[] = [];

  beforeAll(async () => {
    clinic = await openClinic('sqlite');
    browser = await launchChromium();
    patient = clinic.account('patient');
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await clinic.close();
  });

  it('V8.2.1 / V8.2.2: support finds the patient with masked details only, and no medical data or private profile value reaches support’s browser', async () => {
    support = await personIn(browser, clinic);
    support.context.on('response', (response) => supportBodies.push(response.text().catch(() => '')));
    await signInWithPassword(clinic, support.page, clinic.account('support'));
    await registerFirstPasskey(support.page);
    const { page } = support;
    const seen: string[] = [await page.locator('body').innerText()];

    await openFromNavigation(page, 'Account help', 'Account help');
    await expectSoundPage(support, 'account help');
    await page.getByRole('searchbox', { name: 'Email address or account id' }).fill(patient.email);
    await page.getByRole('button', { name: 'Find account' }).click();
    await page.getByRole('heading', { name: 'Account details' }).waitFor();
    const details = page.locator('.fields').first();
    expect(await details.innerText()).toContain('(masked)');
    expect(await details.innerText()).not.toContain(patient.email);
    await expectSoundPage(support, 'account help with an account');
    await expectSoundOnPhone(support, 'account help with an account');
    seen.push(await page.locator('body').innerText());

    for (const [link, title] of [
      ['Home', 'Home'],
      ['Security', 'Security'],
      ['Privacy', 'Privacy'],
    ] as const) {
      await openFromNavigation(page, link, title);
      await expectSoundPage(support, title);
      seen.push(await page.locator('body').innerText());
    }
    // Support's navigation offers nothing more.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual([
      'Home',
      'Account help',
      'Security',
      'Privacy',
    ]);

    const bodies = await Promise.all(supportBodies);
    expect(bodies.length).toBeGreaterThan(10);
    for (const secret of MEDICAL_AND_PRIVATE) {
      expect(
        seen.filter((text) => text.includes(secret)),
        `"${secret}" on support's pages`,
      ).toEqual([]);
      expect(bodies.filter((body) => body.includes(secret)).length, `"${secret}" in responses to support`).toBe(0);
    }
  });

  it('V7.4.2 / V2.3.5: an admin locks and unlocks the patient, approves support’s temporary role and ends it, and reads the security overview', async () => {
    const admin = await staffIn(browser, clinic, 'admin');
    await expectSoundPage(admin, 'admin home');
    const { page } = admin;

    await openFromNavigation(page, 'Accounts', 'Accounts');
    await expectSoundPage(admin, 'accounts');
    await page.getByRole('searchbox', { name: 'Email address' }).fill(patient.email);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page
      .getByRole('table')
      .getByRole('button', { name: /^Open / })
      .click();
    await page.getByRole('heading', { name: 'Account details' }).waitFor();
    await expectSoundPage(admin, 'an account');
    await expectSoundOnPhone(admin, 'an account');

    await page.getByRole('button', { name: 'Lock account' }).click();
    await page.getByRole('button', { name: 'Yes, lock the account' }).click();
    await page.getByText(/^Account locked\./).waitFor();
    await expectSoundPage(admin, 'a locked account');

    // The patient, in a browser of their own, cannot sign in; the answer does not say why
    // (the same words as a wrong password, so it discloses nothing about the account).
    const blocked = await personIn(browser, clinic);
    await blocked.page.getByRole('textbox', { name: 'Email' }).fill(patient.email);
    await blocked.page.getByLabel('Password', { exact: true }).fill(patient.password);
    await blocked.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await blocked.page.getByText('That email and password do not match.').waitFor();
    await expectView(blocked.page, 'Sign in');

    await page.getByRole('button', { name: 'Unlock account' }).click();
    await page.getByText(/^Account unlocked\./).waitFor();
    await signInWithPassword(clinic, blocked.page, patient);
    await expectView(blocked.page, 'Home');
    await blocked.context.close();

    // Support asks for a temporary role in its own browser; the admin approves it and ends it.
    await openFromNavigation(support.page, 'Account help', 'Account help');
    const ask = support.page.getByRole('form', { name: 'Ask for a temporary role' });
    await ask.getByLabel('Role', { exact: true }).selectOption({ label: 'Admin' });
    await ask.getByLabel('Why you need it').fill(ELEVATION_REASON);
    await ask.getByRole('button', { name: 'Ask for the role' }).click();
    await throughStepUp(support.page, support.page.getByText('Your request is waiting for another person to approve it.'));
    await support.page.getByRole('list', { name: 'Your temporary roles' }).getByText(ELEVATION_REASON).waitFor();

    await openFromNavigation(page, 'Elevations', 'Elevations');
    const waiting = page
      .getByRole('list', { name: 'Requests waiting for approval' })
      .getByRole('listitem')
      .filter({ hasText: ELEVATION_REASON });
    await waiting.waitFor();
    await expectSoundPage(admin, 'elevations');
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await throughStepUp(page, page.getByText('Approved: role admin for account'));
    const inForce = page
      .getByRole('list', { name: 'Temporary roles in force' })
      .getByRole('listitem')
      .filter({ hasText: ELEVATION_REASON });
    await inForce.waitFor();
    expect(await inForce.innerText()).toContain('In force until');
    await expectSoundPage(admin, 'elevations with a role in force');
    await inForce.getByRole('button', { name: 'End now' }).click();
    await page.getByText('Ended: role admin of account').waitFor();
    await page.getByText('Nobody holds a temporary role now.').waitFor();

    await openFromNavigation(page, 'Security overview', 'Security overview');
    await page.getByRole('heading', { name: 'Second-factor coverage' }).waitFor();
    const overview = await page.locator('main').innerText();
    for (const fact of ['TLS mode', 'Key service', 'Answering; current key version', 'Failed password sign-ins', 'Attack mode'])
      expect(overview).toContain(fact);
    // One row per role, each with its rule; staff must have a passkey.
    const coverage = page.getByRole('table', { name: 'Second-factor coverage per role' });
    for (const role of ['patient', 'clinician', 'support', 'admin', 'auditor'])
      await coverage.getByRole('rowheader', { name: role, exact: true }).waitFor();
    expect(await coverage.getByRole('row').filter({ hasText: 'admin' }).innerText()).toContain('Passkey required');
    // The locked patient's refused attempt is among the recent failures.
    expect(overview).toMatch(/Failed password sign-ins\s+[1-9]\d* of \d+ in the last/);
    await expectSoundPage(admin, 'security overview');
    await admin.context.close();
  });

  it('V16.4.2: the auditor verifies an entry’s inclusion proof in the browser, and a tampered proof fails', async () => {
    const auditor = await staffIn(browser, clinic, 'auditor');
    await expectSoundPage(auditor, 'auditor home');
    const { page } = auditor;
    await openFromNavigation(page, 'Audit log', 'Audit log');
    await expectSoundPage(auditor, 'audit log');
    await page.getByLabel('Event', { exact: true }).fill('account.locked');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const entries = page.getByRole('table', { name: 'Audit entries, newest first' });
    await entries
      .getByRole('button', { name: /^Open entry / })
      .first()
      .click();
    const entry = page.locator('section').filter({ has: page.getByRole('heading', { name: /^Entry \d+$/ }) });
    await entry.waitFor();
    expect(await entry.innerText()).toContain('account.locked');

    // Checkpoints are signed every minute or every 1,000 entries; sign one now so it covers the entry.
    await signAuditCheckpointNow(clinic);
    await page.getByRole('button', { name: 'Load the latest checkpoint' }).click();
    await page.getByText('Valid: checked in your browser (Ed25519)').waitFor();

    await entry.getByRole('button', { name: 'Verify its inclusion proof' }).click();
    await entry.getByText('Verified in your browser').waitFor();
    expect(await entry.getByText(/^Passed:/).count()).toBe(4);
    await expectSoundPage(auditor, 'a verified entry');
    await expectSoundOnPhone(auditor, 'a verified entry');

    // A proof altered on the way (one byte of the leaf hash flipped) is caught here, in the browser.
    await page.route('**/v1/audit/proofs/inclusion**', async (route) => {
      const response = await route.fetch();
      const proof = (await response.json()) as { leafHash: string };
      const leaf = Buffer.from(proof.leafHash, 'base64');
      leaf[0] = (leaf[0] ?? 0) ^ 0xff;
      await route.fulfill({ response, json: { ...proof, leafHash: leaf.toString('base64') } });
    });
    await entry.getByRole('button', { name: 'Verify its inclusion proof' }).click();
    await entry.getByText('Verification failed').waitFor();
    expect(await entry.getByText(/^Failed:/).count()).toBeGreaterThanOrEqual(1);
    await page.unrouteAll();
    await expectSoundPage(auditor, 'a failed verification');
    await auditor.context.close();
  });
});
