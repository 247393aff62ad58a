/**
 * Sign in with Apple server-to-server notifications, signed with the Apple-like test provider's
 * own key and verified through its published JWKS, on SQLite and PostgreSQL: each event type,
 * ordering by `event_time`, replayed `jti`s, and forged or misaddressed notifications.
 * ASVS V6.8.2 (signature always validated), V10.5.3 / V10.5.4 (issuer and audience),
 * V16.3.1 (every notification audited, reason codes only).
 */
import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FederatedSignInResponse } from '@portcullis/protocol';
import type { App } from '../../../app.ts';
import { testDatabases } from '../../../test-support/databases.ts';
import { TestDevice } from '../../../test-support/dpop-client.ts';
import {
  APPLE_BUNDLE_ID,
  APPLE_SERVICES_ID,
  APPLE_USERS,
  appleNonceFor,
  buildFederationApp,
  nativeIdToken,
  rawNonce,
  startFederationFixture,
  type FederationFixture,
} from '../test-support/fixtures.ts';

describe.each(testDatabases())('Apple server-to-server notifications ($dialect)', ({ dialect }) => {
  let fixture: FederationFixture;
  let app: App;
  let accountId: string;
  let device: TestDevice;
  const subject = APPLE_USERS.relay.id;

  beforeAll(async () => {
    fixture = await startFederationFixture();
  });
  afterAll(() => fixture.close());
  beforeEach(async () => {
    app = await buildFederationApp(fixture, { dialect });
    const raw = rawNonce();
    const { idToken, code } = await nativeIdToken(app, fixture.apple, APPLE_USERS.relay, { nonce: appleNonceFor(raw) });
    device = new TestDevice(app);
    const response = await device.send({
      method: 'POST',
      url: '/v1/federation/sessions',
      payload: { provider: 'apple', idToken, nonce: raw, authorizationCode: code, device: { label: 'iPhone', platform: 'ios' } },
    });
    device.tokens = response.json<FederatedSignInResponse>();
    accountId = (await device.call('GET', '/v1/accounts/me')).json<{ id: string }>().id;
  });
  afterEach(() => app.close());

  function notification(type: string, overrides: Record<string, unknown> = {}, eventOverrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: fixture.apple.issuer,
      aud: APPLE_SERVICES_ID,
      iat: now,
      jti: randomUUID(),
      // Apple sends `events` as a JSON string.
      events: JSON.stringify({
        type,
        sub: subject,
        event_time: Date.now(),
        email: APPLE_USERS.relay.claims.email,
        is_private_email: 'true',
        ...eventOverrides,
      }),
      ...overrides,
    };
  }

  const post = (payload: string) => app.inject({ method: 'POST', url: '/v1/federation/apple/notifications', payload: { payload } });
  const identity = () =>
    app.portcullis.database.db.selectFrom('external_identities').selectAll().where('subject', '=', subject).executeTakeFirst();
  const audits = () =>
    app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['outcome', 'reason', 'subject_id'])
      .where('action', '=', 'federation.notification_received')
      .execute();

  it('email-disabled and email-enabled record the relay forwarding state', async () => {
    expect((await post(fixture.apple.sign(notification('email-disabled')))).statusCode).toBe(204);
    expect((await identity())?.email_forwarding_disabled_at).not.toBeNull();
    expect((await post(fixture.apple.sign(notification('email-enabled')))).statusCode).toBe(204);
    expect((await identity())?.email_forwarding_disabled_at).toBeNull();
    expect(await audits()).toEqual([
      { outcome: 'success', reason: 'email_disabled', subject_id: accountId },
      { outcome: 'success', reason: 'email_enabled', subject_id: accountId },
    ]);
    // Apple, not a person, sends them: no actor and no session, though the route knows the request.
    const origins = await app.portcullis.database.db
      .selectFrom('audit_events')
      .select(['actor_id', 'session_id'])
      .where('action', '=', 'federation.notification_received')
      .where('request_id', 'is not', null)
      .execute();
    expect(origins).toEqual([
      { actor_id: null, session_id: null },
      { actor_id: null, session_id: null },
    ]);
    expect(JSON.stringify(await app.portcullis.database.db.selectFrom('audit_events').selectAll().execute())).not.toContain('privaterelay');
  });

  it('consent-revoked signs the account out everywhere, drops the stored token and keeps the link', async () => {
    expect((await identity())?.provider_token).not.toBeNull();
    expect((await post(fixture.apple.sign(notification('consent-revoked')))).statusCode).toBe(204);
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
    const row = await identity();
    expect(row).toBeDefined();
    expect(row?.provider_token).toBeNull();
  });

  it('account-delete removes the link and signs the account out (the events member may also be an object)', async () => {
    const claims = notification('account-delete');
    const response = await post(fixture.apple.sign({ ...claims, events: JSON.parse(claims.events) as unknown }));
    expect(response.statusCode).toBe(204);
    expect(await identity()).toBeUndefined();
    expect((await device.call('GET', '/v1/accounts/me')).statusCode).toBe(401);
  });

  it('accepts notifications addressed to the bundle id as well', async () => {
    expect((await post(fixture.apple.sign(notification('email-disabled', { aud: APPLE_BUNDLE_ID })))).statusCode).toBe(204);
  });

  it('ignores an event older than the last one applied, and a replayed jti', async () => {
    const now = Date.now();
    await post(fixture.apple.sign(notification('email-disabled', {}, { event_time: now })));
    await post(fixture.apple.sign(notification('email-enabled', {}, { event_time: now - 60_000 })));
    expect((await identity())?.email_forwarding_disabled_at).not.toBeNull();
    const replayed = fixture.apple.sign(notification('email-enabled', {}, { event_time: now + 1 }));
    await post(replayed);
    await post(fixture.apple.sign(notification('email-disabled', {}, { event_time: now + 2 })));
    expect((await post(replayed)).statusCode).toBe(204);
    expect((await identity())?.email_forwarding_disabled_at).not.toBeNull();
    expect((await audits()).map((row) => row.reason)).toEqual([
      'email_disabled',
      'email_enabled_ignored',
      'email_enabled',
      'email_disabled',
      'email_enabled_ignored',
    ]);
  });

  it('acknowledges a notification about someone it does not know without changing anything', async () => {
    expect((await post(fixture.apple.sign(notification('account-delete', {}, { sub: '000000.unknown' })))).statusCode).toBe(204);
    expect(await identity()).toBeDefined();
  });

  describe('refuses forged or misaddressed notifications with 400 FEDERATION_NOTIFICATION_INVALID, changing nothing', () => {
    const cases: [string, () => string][] = [
      ['wrong audience (V10.5.4)', () => fixture.apple.sign(notification('account-delete', { aud: 'com.someone.else' }))],
      ['wrong issuer (V10.5.3)', () => fixture.apple.sign(notification('account-delete', { iss: 'https://appleid.apple.com.evil.test' }))],
      ['unsigned (V6.8.2)', () => fixture.apple.sign(notification('account-delete'), { alg: 'none' })],
      [
        'signed by a key Apple does not publish (V6.8.2)',
        () => fixture.apple.sign(notification('account-delete'), { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }),
      ],
      [
        'issued more than a day ago',
        () => fixture.apple.sign(notification('account-delete', { iat: Math.floor(Date.now() / 1000) - 90_000 })),
      ],
      ['issued in the future', () => fixture.apple.sign(notification('account-delete', { iat: Math.floor(Date.now() / 1000) + 3600 }))],
      ['without a jti', () => fixture.apple.sign(notification('account-delete', { jti: undefined }))],
      ['an unknown event type', () => fixture.apple.sign(notification('account-sold'))],
      ['events that are not JSON', () => fixture.apple.sign(notification('account-delete', { events: '{not json' }))],
    ];
    for (const [name, payload] of cases) {
      it(name, async () => {
        const response = await post(payload());
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'FEDERATION_NOTIFICATION_INVALID' });
        expect(await identity()).toBeDefined();
        expect((await audits()).at(-1)?.outcome).toBe('failure');
      });
    }
  });

  it('answers notifications for a provider that is not Apple with 404, and a malformed body with 400', async () => {
    const google = await app.inject({
      method: 'POST',
      url: '/v1/federation/google/notifications',
      payload: { payload: fixture.apple.sign(notification('account-delete')) },
    });
    expect(google.statusCode).toBe(404);
    const malformed = await app.inject({ method: 'POST', url: '/v1/federation/apple/notifications', payload: { payload: 'x' } });
    expect(malformed.statusCode).toBe(400);
  });
});
