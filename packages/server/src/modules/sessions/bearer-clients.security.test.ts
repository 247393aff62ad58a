/**
 * The one exception to sender-constrained tokens (ASVS V10.3.5, V10.4.14): a client the operator
 * names in `sessions.bearerClients` may sign in without a DPoP proof and gets unbound `Bearer`
 * tokens. By default nobody may; naming a client that is not listed changes nothing; a bearer
 * session never accepts DPoP and a DPoP session never accepts Bearer; removing the client from
 * the list ends its sessions at once (same database, next request).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenResponse } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import { buildTestApp, testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, codeIn, createVerifiedAccount, deviceChallengeOf, waitForMail } from '../../test-support/dpop-client.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { generateKeyRingFile, keyRingFromFile } from '../../platform/crypto/index.ts';
import type { Config } from '../../config/schema.ts';

const DEVICE = { label: 'Kiosk', platform: 'other' };

/** A password sign-in without a proof; a bearer binding proves no device, so the emailed code is answered too. */
async function bearerSignIn(app: App, email: string, password: string, client: string) {
  const headers = { 'portcullis-client': client };
  const response = await app.inject({ method: 'POST', url: '/v1/sessions', headers, payload: { email, password, device: DEVICE } });
  const challenge = deviceChallengeOf(response);
  if (challenge === undefined) return response;
  const sent = await app.inject({ method: 'POST', url: '/v1/sessions/mfa/send', headers, payload: { challenge, channel: 'email' } });
  expect(sent.statusCode).toBe(202);
  const code = codeIn((await waitForMail(app, email, { subject: /sign-in code/i })).body);
  return app.inject({ method: 'POST', url: '/v1/sessions/mfa', headers, payload: { challenge, method: 'email_code', code } });
}

function me(app: App, authorization: string) {
  return app.inject({ method: 'GET', url: '/v1/accounts/me', headers: { authorization } });
}

describe.each(testDatabases())('bearer clients on $dialect', ({ dialect }) => {
  describe('with the default configuration (no bearer clients)', () => {
    let app: App;
    beforeEach(async () => {
      app = await buildTestApp({ dialect });
    });
    afterEach(() => app.close());

    it('V10.4.14: a sign-in without a DPoP proof is refused, whatever client it names', async () => {
      const { email, password } = await createVerifiedAccount(app, new TestDevice(app), 'default@example.test');
      const response = await bearerSignIn(app, email, password, 'kiosk');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'AUTH_DPOP_INVALID' });
      const stored = await app.portcullis.database.db.selectFrom('sessions').select('id').execute();
      expect(stored).toEqual([]);
    });
  });

  describe('with one listed bearer client', () => {
    let config: Config;
    let app: App;
    const keyRing = keyRingFromFile(generateKeyRingFile({ development: false }), 'bearer-clients test fixture');
    beforeEach(async () => {
      config = testConfig({ dialect, config: { sessions: { bearerClients: ['kiosk'] } } });
      app = await buildApp(config, { keyRing, logger: createLogger(config) });
    });
    afterEach(() => app.close());

    it('issues Bearer tokens to the listed client only; a client not listed still needs a proof', async () => {
      const { email, password } = await createVerifiedAccount(app, new TestDevice(app), 'listed@example.test');
      expect((await bearerSignIn(app, email, password, 'other-app')).statusCode).toBe(401);
      const response = await bearerSignIn(app, email, password, 'kiosk');
      expect(response.statusCode).toBe(201);
      const tokens = response.json<TokenResponse>();
      expect(tokens.tokenType).toBe('Bearer');
      expect((await me(app, `Bearer ${tokens.accessToken}`)).statusCode).toBe(200);
    });

    it('V6.3.1: a bearer binding is never a known device: every password sign-in through it confirms with the emailed code', async () => {
      const { email, password } = await createVerifiedAccount(app, new TestDevice(app), 'kiosk-device@example.test');
      expect((await bearerSignIn(app, email, password, 'kiosk')).statusCode).toBe(201);
      const again = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: { 'portcullis-client': 'kiosk' },
        payload: { email, password, device: DEVICE },
      });
      expect(again.statusCode).toBe(401);
      expect(again.json()).toMatchObject({ code: 'MFA_REQUIRED', challenge: { reason: 'new_device', methods: ['email_code'] } });
    });

    it('V10.3.5: a bearer session refuses DPoP presentation, and a DPoP session refuses Bearer', async () => {
      const device = new TestDevice(app);
      const { email, password } = await createVerifiedAccount(app, device, 'mixed@example.test');
      const bearer = (await bearerSignIn(app, email, password, 'kiosk')).json<TokenResponse>();
      const asDPoP = await device.send({ method: 'GET', url: '/v1/accounts/me', accessToken: bearer.accessToken });
      expect(asDPoP.statusCode).toBe(401);

      await device.signIn(email, password);
      const dpopToken = device.tokens?.accessToken ?? '';
      expect(device.tokens?.tokenType).toBe('DPoP');
      expect((await me(app, `Bearer ${dpopToken}`)).statusCode).toBe(401);
    });

    it('refreshes a bearer session without a proof, and refuses the same refresh signed by a DPoP key', async () => {
      const { email, password } = await createVerifiedAccount(app, new TestDevice(app), 'refresh@example.test');
      const first = (await bearerSignIn(app, email, password, 'kiosk')).json<TokenResponse>();
      const stranger = new TestDevice(app);
      const hijack = await stranger.send({ method: 'POST', url: '/v1/sessions/refresh', payload: { refreshToken: first.refreshToken } });
      expect(hijack.statusCode).toBe(401);
      const refreshed = await app.inject({
        method: 'POST',
        url: '/v1/sessions/refresh',
        headers: { 'portcullis-client': 'kiosk' },
        payload: { refreshToken: first.refreshToken },
      });
      expect(refreshed.statusCode).toBe(200);
      expect(refreshed.json<TokenResponse>().tokenType).toBe('Bearer');
    });

    it('taking the client off the list ends its sessions at once', async () => {
      const { email, password } = await createVerifiedAccount(app, new TestDevice(app), 'delisted@example.test');
      const tokens = (await bearerSignIn(app, email, password, 'kiosk')).json<TokenResponse>();
      // The operator redeploys with the client removed: same database, same keys.
      const delistedConfig = { ...config, sessions: { ...config.sessions, bearerClients: [] } };
      const delisted = await buildApp(delistedConfig, { keyRing, logger: createLogger(delistedConfig) });
      try {
        expect((await me(delisted, `Bearer ${tokens.accessToken}`)).statusCode).toBe(401);
        const refresh = await delisted.inject({
          method: 'POST',
          url: '/v1/sessions/refresh',
          headers: { 'portcullis-client': 'kiosk' },
          payload: { refreshToken: tokens.refreshToken },
        });
        expect(refresh.statusCode).toBe(401);
        expect((await bearerSignIn(delisted, email, password, 'kiosk')).statusCode).toBe(401);
      } finally {
        await delisted.close();
      }
    });

    it('records the client as the session binding', async () => {
      const { email, password } = await createVerifiedAccount(app, new TestDevice(app), 'introspect@example.test');
      const tokens = (await bearerSignIn(app, email, password, 'kiosk')).json<TokenResponse>();
      const row = await app.portcullis.database.db
        .selectFrom('sessions')
        .select('jkt')
        .where('id', '=', tokens.sessionId)
        .executeTakeFirstOrThrow();
      expect(row.jkt).toBe('bearer:kiosk');
    });
  });
});
