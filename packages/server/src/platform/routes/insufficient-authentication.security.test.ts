/**
 * A session below a route's assurance level is refused, and told what would do (RFC 9470 OAuth
 * 2.0 Step Up Authentication Challenge): `401 AUTH_LEVEL_INSUFFICIENT` with
 * `WWW-Authenticate: DPoP error="insufficient_user_authentication"`, the level to reach in
 * `acr_values` (and `max_age` when the route asks for a recent sign-in), and in the body the
 * level, the session's level and the kinds of factor that reach it — never the factors the
 * account holds. The header is readable by browser apps (CORS exposes it). ASVS V6.3.3
 * (phishing-resistant factor for privileged users), V6.3.4 (authentication strength enforced
 * consistently on every pathway), V7.5.3 (further authentication before sensitive operations).
 */
import { emailIndexOf } from '../../test-support/account-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { TEST_PUBLIC_URL, buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../test-support/dpop-client.ts';
import { setRoles } from '../../test-support/phone-harness.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(testDatabases())('RFC 9470: a session below the route level is told what is needed, on $dialect', ({ dialect }) => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
  });
  afterAll(() => app.close());

  /** Signs up through the API, takes the roles, then signs in with the password alone. */
  async function passwordSession(email: string, roles: readonly string[]): Promise<TestDevice> {
    const device = new TestDevice(app);
    await createVerifiedAccount(app, device, email, PASSWORD);
    const account = await app.portcullis.database.db
      .selectFrom('accounts')
      .select('id')
      .where('email_index', '=', await emailIndexOf(app, email))
      .executeTakeFirstOrThrow();
    await setRoles(app, account.id, roles);
    const signIn = await device.signIn(email, PASSWORD);
    expect(signIn.statusCode, signIn.body).toBe(201);
    return device;
  }

  it('an administrator signed in with a password learns that a passkey is needed', async () => {
    const admin = await passwordSession('admin-password@clinic.test', ['admin']);
    expect(admin.tokens?.aal).toBe('aal1');
    const response = await admin.call('GET', '/v1/admin/accounts?email=someone%40clinic.test');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      'DPoP error="insufficient_user_authentication", error_description="A stronger sign-in is needed", acr_values="aal2_phr"',
    );
    expect(response.json()).toEqual({
      type: 'https://portcullis.dev/errors#auth-level-insufficient',
      title: 'A stronger sign-in is needed',
      status: 401,
      code: 'AUTH_LEVEL_INSUFFICIENT',
      requestId: response.headers['x-request-id'],
      requiredLevel: 'aal2_phr',
      currentLevel: 'aal1',
      methods: ['passkey'],
    });
  });

  it('adds max_age when the route also asks for a recent sign-in (its step-up)', async () => {
    const admin = await passwordSession('admin-unmasked@clinic.test', ['admin']);
    const response = await admin.call('GET', '/v1/admin/accounts/unmasked?email=someone%40clinic.test');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      'DPoP error="insufficient_user_authentication", error_description="A stronger sign-in is needed", acr_values="aal2_phr", max_age=300',
    );
  });

  it('a person whose role allows one factor is offered every kind of second factor the deployment enables', async () => {
    const patient = await passwordSession('patient-aal2@clinic.test', ['patient']);
    const response = await patient.call('GET', '/v1/audit/entries');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('acr_values="aal2"');
    // Passkeys and email codes are on by default, SMS off; the account's own factors are not revealed.
    expect(response.json()).toMatchObject({
      code: 'AUTH_LEVEL_INSUFFICIENT',
      requiredLevel: 'aal2',
      currentLevel: 'aal1',
      methods: ['passkey', 'totp', 'email', 'recovery_code'],
    });
  });

  it('exposes the challenge to browser apps (CORS Access-Control-Expose-Headers)', async () => {
    const admin = await passwordSession('admin-cors@clinic.test', ['admin']);
    const response = await admin.send({
      method: 'GET',
      url: '/v1/admin/accounts?email=someone%40clinic.test',
      accessToken: admin.tokens?.accessToken ?? '',
      headers: { origin: new URL(TEST_PUBLIC_URL).origin },
    });
    expect(response.statusCode).toBe(401);
    expect(String(response.headers['access-control-expose-headers']).split(/,\s*/)).toContain('www-authenticate');
    expect(response.headers['www-authenticate']).toContain('insufficient_user_authentication');
  });

  it('a caller without a session still gets plain 401 AUTH_REQUIRED, with no level advice', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/admin/accounts?email=someone%40clinic.test' });
    expect(response.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(response.json()).not.toHaveProperty('methods');
    expect(response.headers['www-authenticate']).not.toContain('insufficient_user_authentication');
  });
});
