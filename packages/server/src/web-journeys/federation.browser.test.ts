/**
 * Signing in to the clinic app with another account, in Chromium against the seeded demo on a
 * real server and a real OpenID provider (oidc-provider on loopback, shaped like Google; an
 * Apple-like one is configured too): the sign-in page offers a button per provider, Apple's
 * first; pressing Google's goes through the provider's own login page and back to the app,
 * which redeems the one-time code with the PKCE verifier it kept and lands on Home with a new
 * patient account; a sign-in cancelled at the provider comes back as words and a way back.
 *
 * ASVS V10.1.2 (the code is redeemed only with the verifier and the DPoP key of the browser that
 * started), V3.4.3 (no CSP violation on the way), V6.3.3 (a provider sign-in is one factor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../test-support/chromium.ts';
import { expectSoundPage, expectView, openClinic, personIn, type Clinic, type Person } from '../test-support/clinic-app.ts';
import {
  federationConfig,
  GOOGLE_USERS,
  GOOGLE_WEB_CLIENT_ID,
  startFederationFixture,
  type FederationFixture,
} from '../modules/federation/test-support/fixtures.ts';
import type { TestUser } from '../modules/federation/test-support/test-provider.ts';

describe.runIf(chromiumAvailable('the clinic app provider sign-in journeys'))(
  'clinic app: signing in with a provider (Chromium, SQLite)',
  () => {
    let fixture: FederationFixture;
    let clinic: Clinic;
    let browser: Browser;
    beforeAll(async () => {
      fixture = await startFederationFixture();
      clinic = await openClinic('sqlite', { config: () => federationConfig(fixture) });
      // The provider learns the callback URL once the server has its port, as it would be registered in a console.
      fixture.google.allowRedirectUri(GOOGLE_WEB_CLIENT_ID, `${clinic.demo.url}/v1/federation/google/callback`);
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser.close();
      await clinic.close();
      await fixture.close();
    });

    /** Presses the provider's button and waits for the provider's login page. */
    async function goToProvider(person: Person, button: string): Promise<void> {
      await person.page.getByRole('button', { name: button, exact: true }).click();
      await person.page.waitForURL((url) => url.href.startsWith(`${fixture.google.issuer}/interaction/`), { timeout: 15_000 });
    }

    /** The provider's own login (and consent) pages, filled in as the person would. */
    async function logInAtProvider(person: Person, user: TestUser): Promise<void> {
      const { page } = person;
      await page.locator('input[name="login"]').fill(user.id);
      await page.locator('input[name="password"]').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Next comes the provider's consent page (first time for this client) or the app itself.
      const consent = page.getByRole('button', { name: 'Continue' });
      await consent
        .or(page.getByRole('heading', { level: 1 }))
        .first()
        .waitFor({ timeout: 15_000 });
      if (page.url().startsWith(fixture.google.issuer)) await consent.click();
    }

    it('the sign-in page offers Sign in with Apple, then Continue with Google, after the passkey and before the password', async () => {
      const person = await personIn(browser, clinic);
      const providers = person.page.getByRole('region', { name: 'Or use another account' });
      await providers.waitFor();
      expect(await providers.getByRole('button').allTextContents()).toEqual(['Sign in with Apple', 'Continue with Google']);
      const buttons = await person.page.getByRole('main').getByRole('button').allTextContents();
      expect(buttons.slice(0, 4)).toEqual(['Sign in with a passkey', 'Sign in with Apple', 'Continue with Google', 'Sign in']);
      await expectSoundPage(person, 'sign-in with providers');
      await person.context.close();
    });

    it('V10.1.2: Continue with Google → the provider’s login → back to the app, signed in to a new patient account on Home', async () => {
      const person = await personIn(browser, clinic);
      await goToProvider(person, 'Continue with Google');
      await logInAtProvider(person, GOOGLE_USERS.alice);
      await expectView(person.page, 'Home');
      // The one-time code is gone from the address bar, and nothing is left in web storage.
      expect(new URL(person.page.url()).pathname).toBe('/');
      expect(new URL(person.page.url()).search).toBe('');
      expect(await person.page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
      await expectSoundPage(person, 'home after a provider sign-in');

      const { db } = clinic.demo.server.app.portcullis.database;
      const account = await db
        .selectFrom('external_identities')
        .innerJoin('accounts', 'accounts.id', 'external_identities.account_id')
        .select(['accounts.id', 'accounts.roles'])
        .where('external_identities.provider', '=', 'google')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(account.roles)).toEqual(['patient']);
      const sessions = await db
        .selectFrom('sessions')
        .select(['amr', 'jkt'])
        .where('account_id', '=', account.id)
        .where('revoked_at', 'is', null)
        .execute();
      expect(sessions).toHaveLength(1);
      expect(JSON.parse(sessions[0]?.amr ?? '[]')).toEqual(['fed']);
      expect(sessions[0]?.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // The session is the browser's own (IndexedDB): it survives a reload.
      await person.page.reload();
      await expectView(person.page, 'Home');
      await person.context.close();
    });

    it('a sign-in cancelled at the provider comes back as words, with a way back to sign in', async () => {
      const person = await personIn(browser, clinic);
      await goToProvider(person, 'Continue with Google');
      await person.page.getByRole('button', { name: 'Cancel' }).click();
      await expectView(person.page, 'Sign-in not finished');
      await expect.poll(() => person.page.getByRole('alert').textContent()).toContain('cancelled at the provider');
      expect(new URL(person.page.url()).search).toBe('');
      await expectSoundPage(person, 'provider sign-in cancelled');
      await person.page.getByRole('link', { name: 'Back to sign in' }).click();
      await expectView(person.page, 'Sign in');
      await person.context.close();
    });
  },
);
