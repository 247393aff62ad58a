/**
 * The SDK's browser WebAuthn adapter in a real browser against the real server: Debian's
 * Chromium, headless, with a CDP virtual authenticator (CTAP2, internal transport, discoverable
 * credentials, user verification). The page is served from the API's own origin on
 * `http://localhost` (a secure context, so WebAuthn is available), and loads an esbuild bundle of
 * `test-support/browser-passkey-page.ts`, which uses `@portcullis/sdk` the way a web app does:
 * `registerPasskey(browserPasskeyAuthenticator(), …)` and `signInWithPasskey(browserPasskeyAuthenticator(), …)`.
 *
 * ASVS V6.3.3: a session opened with the passkey is phishing-resistant multi-factor (`aal2_phr`);
 * the browser wrote the origin and RP id the server checked.
 *
 * Outside CI the test is skipped (loudly) when /usr/bin/chromium is missing; with CI=true a
 * missing Chromium fails it.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { build } from 'esbuild';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RunningServer } from './server.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';
import type { PasskeyPage } from './test-support/browser-passkey-page.ts';
import { addVirtualAuthenticator, chromiumAvailable, launchChromium } from './test-support/chromium.ts';

const PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>Passkeys</title><script type="module" src="/test/passkey-page.js"></script>';

async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./test-support/browser-passkey-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The SDK's TypeScript sources, as everywhere in the repository (tools/build-sdk.mjs).
    conditions: ['portcullis-source'],
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

/** The test page and its script, from the API's origin; public, like the API docs page. */
function pageRoutes(script: string): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const contract = {
      config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' } as const,
      schema: { hide: true, response: { 200: Type.String() } },
    };
    app.get('/test/passkeys', contract, async (_request, reply) => {
      void reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8');
      return PAGE_HTML;
    });
    app.get('/test/passkey-page.js', contract, async (_request, reply) => {
      void reply.header('content-security-policy', PAGE_CSP).type('text/javascript; charset=utf-8');
      return script;
    });
  };
}

/** What the page script puts on `globalThis`; the functions given to `page.evaluate` run in the page. */
interface InPage {
  readonly passkeyPage: PasskeyPage;
}

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  signCount: number;
}

describe.runIf(chromiumAvailable('the browser passkey test'))('SDK passkeys in Chromium (virtual authenticator)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    let origin = '';
    ({ server, baseUrl: origin } = await startRealTestServer({
      host: 'localhost',
      config: (url) => ({ passkeys: { rpId: 'localhost', allowedOrigins: [url] } }),
      plugins: [pageRoutes(await bundlePageScript())],
    }));

    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    ({ cdp, authenticatorId } = await addVirtualAuthenticator(page));
    await page.goto(`${origin}/test/passkeys`);
    await page.waitForFunction(() => 'passkeyPage' in globalThis);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('V6.3.3: registers a passkey through browserPasskeyAuthenticator, then signs in with it alone into an aal2_phr session', async () => {
    if (!server) throw new Error('server not started');
    const { db } = server.app.portcullis.database;
    const { dataProtection } = server.app.portcullis;
    const email = 'chromium@example.test';
    const password = 'correct horse battery staple';
    await page.evaluate(([e, pw]) => (globalThis as unknown as InPage).passkeyPage.signUp(e, pw), [email, password] as const);
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    await page.evaluate(([e, c]) => (globalThis as unknown as InPage).passkeyPage.verifyEmail(e, c), [email, code] as const);
    await page.evaluate(([e, pw]) => (globalThis as unknown as InPage).passkeyPage.signIn(e, pw), [email, password] as const);

    const passkey = await page.evaluate((name) => (globalThis as unknown as InPage).passkeyPage.registerPasskey(name), 'Chromium');
    expect(passkey).toMatchObject({ name: 'Chromium', suspended: false });
    const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as { credentials: VirtualCredential[] };
    expect(credentials).toHaveLength(1);
    const [credential] = credentials;
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    const account = await page.evaluate(() => (globalThis as unknown as InPage).passkeyPage.signInWithPasskey());
    expect(account).toMatchObject({ email, emailVerified: true });

    const stored = await db
      .selectFrom('passkey_credentials')
      .select(['credential_id', 'name', 'suspended_at', 'last_used_at'])
      .where('account_id', '=', account.id)
      .execute();
    expect(stored).toEqual([
      {
        credential_id: Buffer.from(credential?.credentialId ?? '', 'base64').toString('base64url'),
        name: 'Chromium',
        suspended_at: null,
        last_used_at: expect.anything() as unknown,
      },
    ]);
    const rows = await db
      .selectFrom('sessions')
      .select(['id', 'aal', 'device_label', 'device_platform'])
      .where('account_id', '=', account.id)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute();
    // Device labels are stored sealed for the account holder; the key service opens them.
    const sessions = await Promise.all(
      rows.map(async (row) => ({
        ...row,
        device_label: await dataProtection.open(db, account.id, row.device_label, {
          table: 'sessions',
          column: 'device_label',
          rowId: row.id,
        }),
      })),
    );
    expect(sessions).toEqual([
      expect.objectContaining({ aal: 'aal1', device_label: 'Chromium (password)' }),
      expect.objectContaining({ aal: 'aal2_phr', device_label: 'Web', device_platform: 'web' }),
    ]);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
