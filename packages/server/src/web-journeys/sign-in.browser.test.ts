/**
 * The clinic app's way in, in Chromium against the seeded demo on a real server: the sign-in
 * page passes axe at desktop and phone widths, a patient signs in with the password (confirming
 * the new browser by the emailed code), and staff must register a passkey before anything else,
 * then sign in with it alone.
 *
 * ASVS V6.3.3 (staff reach their views only after a phishing-resistant factor), V3.4.3 (the app
 * runs under its CSP with Trusted Types: no violation on any page), V3.2.2 (text stays text).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../test-support/chromium.ts';
import {
  expectSoundPage,
  expectView,
  heading,
  openClinic,
  personIn,
  registerFirstPasskey,
  signInWithPassword,
  type Clinic,
} from '../test-support/clinic-app.ts';

describe.runIf(chromiumAvailable('the clinic app sign-in journeys'))('clinic app: signing in (Chromium, SQLite)', () => {
  let clinic: Clinic;
  let browser: Browser;
  beforeAll(async () => {
    clinic = await openClinic('sqlite');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await clinic.close();
  });

  it('V3.4.3: the sign-in page is usable at 360 px and 1,280 px with 0 axe violations and no CSP violation', async () => {
    for (const width of [360, 1280]) {
      const person = await personIn(browser, clinic, { width });
      await expectSoundPage(person, `sign-in at ${width} px`);
      await person.context.close();
    }
  });

  it('a patient signs in with the password, confirming this new browser with the emailed code', async () => {
    const person = await personIn(browser, clinic);
    await signInWithPassword(clinic, person.page, clinic.account('patient'));
    await expectView(person.page, 'Home');
    await expectSoundPage(person, 'patient home');
    // The session survives a reload: the DPoP key and tokens are in IndexedDB.
    await person.page.reload();
    await expectView(person.page, 'Home');
    expect(await person.page.evaluate(() => JSON.stringify(Object.keys(localStorage)))).toBe('[]');
    await person.context.close();
  });

  it('V6.3.3: a clinician registers a passkey at the first sign-in, then signs in with the passkey alone', async () => {
    const person = await personIn(browser, clinic);
    await signInWithPassword(clinic, person.page, clinic.account('clinician'));
    expect(await heading(person.page)).toBe('Register a passkey');
    await expectSoundPage(person, 'passkey enrolment');
    await registerFirstPasskey(person.page);
    await person.page.getByRole('button', { name: 'Sign out' }).click();
    // Back on the sign-in page, the passkey is offered in the email field's autofill
    // (conditional mediation); Chromium's virtual authenticator picks it at once, as a person
    // choosing the suggestion would.
    await expectView(person.page, 'Home');
    const sessions = await clinic.demo.server.app.portcullis.database.db
      .selectFrom('sessions')
      .select(['aal'])
      .where('account_id', '=', clinic.account('clinician').accountId)
      .where('revoked_at', 'is', null)
      .execute();
    expect(sessions).toEqual([{ aal: 'aal2_phr' }]);
    await person.context.close();
  });
});
