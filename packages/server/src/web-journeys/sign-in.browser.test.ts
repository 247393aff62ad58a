/**
 * The clinic app's way in, in Chromium against the seeded demo on a real server: the sign-in
 * page passes axe at desktop and phone widths, a patient signs in with the password (confirming
 * the new browser by the emailed code), and staff must register a passkey before anything else,
 * then sign in with it alone.
 *
 * ASVS V6.3.3 (staff reach their views only after a phishing-resistant factor), V3.4.3 (the app
 * runs under its CSP with Trusted Types: no violation on any page), V3.2.2 (text stays text),
 * V3.3.x / MASVS-STORAGE-1 (the session lives in IndexedDB with a non-extractable DPoP key,
 * never in Web Storage).
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

interface StoredSession {
  readonly webStorage: number;
  readonly privateKeyExtractable: boolean;
  readonly exportRefused: boolean;
  readonly publicKeyAlgorithm: string;
  readonly tokensStored: boolean;
}

/** Runs in the page (as text: the server's type project has no DOM types). */
const READ_STORED_SESSION = `(async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('portcullis-web-session');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const read = (key) => new Promise((resolve, reject) => {
    const request = db.transaction('session', 'readonly').objectStore('session').get(key);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const key = await read('dpop-key');
  const tokens = await read('tokens');
  let exportRefused = false;
  try { await crypto.subtle.exportKey('jwk', key.privateKey); } catch { exportRefused = true; }
  return {
    webStorage: localStorage.length + sessionStorage.length,
    privateKeyExtractable: key.privateKey.extractable,
    exportRefused,
    publicKeyAlgorithm: key.publicKey.algorithm.name,
    tokensStored: typeof tokens.accessToken === 'string' && typeof tokens.refreshToken === 'string',
  };
})()`;

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
    // The session survives a reload: the DPoP key and tokens are in IndexedDB, the private key
    // as a non-extractable CryptoKey that script cannot export; nothing is in Web Storage.
    await person.page.reload();
    await expectView(person.page, 'Home');
    expect(await person.page.evaluate<StoredSession>(READ_STORED_SESSION)).toEqual({
      webStorage: 0,
      privateKeyExtractable: false,
      exportRefused: true,
      publicKeyAlgorithm: 'ECDSA',
      tokensStored: true,
    });
    await person.context.close();
  });

  it('V6.3.3: a clinician registers a passkey at the first sign-in, then signs in with the passkey alone', async () => {
    const person = await personIn(browser, clinic);
    await signInWithPassword(clinic, person.page, clinic.account('clinician'));
    expect(await heading(person.page)).toBe('Register a passkey');
    await expectSoundPage(person, 'passkey enrolment');
    await registerFirstPasskey(person.page);
    const liveSessions = () =>
      clinic.demo.server.app.portcullis.database.db
        .selectFrom('sessions')
        .select(['id', 'aal'])
        .where('account_id', '=', clinic.account('clinician').accountId)
        .where('revoked_at', 'is', null)
        .execute();
    const [enrolled] = await liveSessions();
    await person.page.getByRole('button', { name: 'Sign out' }).click();
    // Back on the sign-in page the passkey is offered in the email field's autofill (conditional
    // mediation), which Chromium's virtual authenticator may answer at once, as a person picking
    // the suggestion would; otherwise the person presses the passkey button.
    await expect.poll(async () => (await liveSessions()).some((session) => session.id === enrolled?.id)).toBe(false);
    await person.page.getByRole('heading', { level: 1, name: /^(Sign in|Home)$/ }).waitFor();
    // The button's ceremony cancels a waiting autofill one; if autofill wins first, the page has
    // moved on and the button is gone.
    await person.page
      .getByRole('button', { name: 'Sign in with a passkey' })
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await expectView(person.page, 'Home');
    // Only passkey sessions are live (the virtual authenticator can answer the autofill request
    // in the instant the button is pressed, so there may be two), none of them the enrolment's.
    const sessions = await liveSessions();
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    expect(sessions.every((session) => session.aal === 'aal2_phr' && session.id !== enrolled?.id)).toBe(true);
    await person.context.close();
  });
});
