/**
 * Time-boxed elevation over HTTP with DPoP sessions, on SQLite and PostgreSQL (ASVS V8.2.1
 * function-level access follows the roles in force, V8.3.1 enforced at the service on every
 * request, V8.3.2 changes of roles apply on the next request, V7.5.3
 * step-up before asking, V16.3.3 every step audited). Sessions are minted with
 * the sessions module's `issueSession` at `aal2_phr` as test setup (records-world
 * `signedInDevice`); expiry is driven by a manual clock, and each check after moving the clock
 * uses a newly minted session, since access tokens themselves live ten minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryList, Elevation, SessionList } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import type { manualClock } from '../../platform/clock/clock.ts';
import { buildClockedApp } from '../../test-support/clocked-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';
import { problemOf } from '../../test-support/step-up-client.ts';

const REASON = 'covering the audit review while the auditor is away';

describe.each(testDatabases())('time-boxed elevation on $dialect (approval off, the default)', ({ dialect }) => {
  let app: App;
  let clock: ReturnType<typeof manualClock>;
  beforeAll(async () => {
    ({ app, clock } = await buildClockedApp(dialect));
  });
  afterAll(() => app.close());

  it('V8.2.1, V8.3.2, V16.3.3: the role holds from the request until it expires by itself, visible in the session list and the audit log', async () => {
    const clinicianId = await createAccount(app, ['clinician']);
    const clinician = await signedInDevice(app, clinicianId);
    expect(problemOf(await clinician.call('GET', '/v1/audit/checkpoint'))).toEqual([403, 'RBAC_FORBIDDEN']);
    const asked = await clinician.call('POST', '/v1/elevations', { role: 'auditor', reason: REASON, durationSeconds: 1800 });
    expect(asked.statusCode, asked.body).toBe(201);
    const elevation = asked.json<Elevation>();
    expect(elevation).toMatchObject({ role: 'auditor', status: 'active', kind: 'elevation', approvedBy: null });
    expect(Date.parse(elevation.expiresAt ?? '')).toBe(clock.now() + 1800_000);

    // The very same session holds the role on its next request: roles are resolved per request.
    expect((await clinician.call('GET', '/v1/audit/checkpoint')).statusCode).toBe(200);
    const list = (await clinician.call('GET', '/v1/sessions')).json<SessionList>();
    expect(list.elevations).toEqual([{ id: elevation.id, role: 'auditor', expiresAt: elevation.expiresAt }]);

    clock.advance(1799_000);
    expect((await (await signedInDevice(app, clinicianId)).call('GET', '/v1/audit/checkpoint')).statusCode).toBe(200);
    clock.advance(1000); // expiry: no job, no revocation — the lookup no longer joins the row
    const later = await signedInDevice(app, clinicianId);
    expect(problemOf(await later.call('GET', '/v1/audit/checkpoint'))).toEqual([403, 'RBAC_FORBIDDEN']);
    expect((await later.call('GET', '/v1/sessions')).json<SessionList>().elevations).toEqual([]);
    expect((await later.call('GET', '/v1/elevations')).json<{ elevations: Elevation[] }>().elevations[0]?.status).toBe('expired');

    const auditor = await signedInDevice(app, await createAccount(app, ['auditor']));
    const entries = (
      await auditor.call('GET', `/v1/audit/entries?subjectId=${clinicianId}&action=elevation.requested`)
    ).json<AuditEntryList>();
    expect(entries.entries.map((e) => [e.actor, e.outcome, e.reason])).toEqual([[clinicianId, 'success', 'active_auditor']]);
    expect(JSON.stringify(entries)).not.toContain('audit review'); // the reason stays out of the log
  });

  it('an elevation can be ended early by its holder, and by an approver, who sees it in the list of elevations in force', async () => {
    const supportId = await createAccount(app, ['support']);
    const support = await signedInDevice(app, supportId);
    const first = (await support.call('POST', '/v1/elevations', { role: 'auditor', reason: REASON })).json<Elevation>();
    expect((await support.call('DELETE', `/v1/elevations/${first.id}`)).json<Elevation>().status).toBe('ended');
    expect(problemOf(await support.call('GET', '/v1/audit/checkpoint'))).toEqual([403, 'RBAC_FORBIDDEN']);
    expect(problemOf(await support.call('DELETE', `/v1/elevations/${first.id}`))).toEqual([409, 'ELEVATION_NOT_PENDING']);

    const second = (await support.call('POST', '/v1/elevations', { role: 'auditor', reason: REASON })).json<Elevation>();
    const admin = await signedInDevice(app, await createAccount(app, ['admin']));
    const inForce = async () => (await admin.call('GET', '/v1/admin/elevations/active')).json<{ elevations: Elevation[] }>().elevations;
    expect((await inForce()).map((e) => [e.id, e.status])).toContainEqual([second.id, 'active']);
    expect((await inForce()).map((e) => e.id)).not.toContain(first.id);
    expect(problemOf(await support.call('GET', '/v1/admin/elevations/active'))).toEqual([403, 'RBAC_FORBIDDEN']);
    expect((await admin.call('POST', `/v1/admin/elevations/${second.id}/revoke`)).json<Elevation>().status).toBe('ended');
    expect((await inForce()).map((e) => e.id)).not.toContain(second.id);
    expect(problemOf(await support.call('GET', '/v1/audit/checkpoint'))).toEqual([403, 'RBAC_FORBIDDEN']);
    // Someone else's elevation is not found on the holder's own route.
    const other = await signedInDevice(app, await createAccount(app, ['support']));
    expect(problemOf(await other.call('DELETE', `/v1/elevations/${second.id}`))).toEqual([404, 'ELEVATION_NOT_FOUND']);
  });

  it('V8.2.1: the admin role always waits for a second admin, and only an admin may approve it', async () => {
    const supportId = await createAccount(app, ['support']);
    const support = await signedInDevice(app, supportId);
    const asked = (await support.call('POST', '/v1/elevations', { role: 'admin', reason: REASON })).json<Elevation>();
    expect(asked.status).toBe('pending');
    expect(problemOf(await support.call('GET', '/v1/admin/elevations'))).toEqual([403, 'RBAC_FORBIDDEN']);
    const adminId = await createAccount(app, ['admin']);
    const admin = await signedInDevice(app, adminId);
    const pending = (await admin.call('GET', '/v1/admin/elevations')).json<{ elevations: Elevation[] }>().elevations;
    expect(pending.map((e) => e.id)).toContain(asked.id);
    const approved = await admin.call('POST', `/v1/admin/elevations/${asked.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<Elevation>()).toMatchObject({ status: 'active', approvedBy: adminId });
    expect((await support.call('GET', '/v1/admin/elevations')).statusCode).toBe(200);
  });

  it('V7.5.3: asking needs a fresh authentication; bad requests are 4xx problems', async () => {
    const clinician = await signedInDevice(app, await createAccount(app, ['clinician']));
    const cases: [unknown, number, string][] = [
      [{ role: 'clinician', reason: REASON }, 400, 'ELEVATION_ROLE_INVALID'],
      [{ role: 'wizard', reason: REASON }, 400, 'ELEVATION_ROLE_INVALID'],
      [{ role: 'constructor', reason: REASON }, 400, 'ELEVATION_ROLE_INVALID'],
      [{ role: 'auditor', reason: 'short' }, 400, 'REQUEST_INVALID'],
      [{ role: 'auditor', reason: REASON, durationSeconds: 3601 }, 400, 'REQUEST_INVALID'],
      [{ role: 'auditor' }, 400, 'REQUEST_INVALID'],
    ];
    for (const [payload, status, code] of cases)
      expect([payload, ...problemOf(await clinician.call('POST', '/v1/elevations', payload))]).toEqual([payload, status, code]);
    expect(problemOf(await clinician.call('DELETE', '/v1/elevations/not-a-uuid'))).toEqual([400, 'REQUEST_INVALID']);
    clock.advance(6 * 60_000);
    // The clinician holds no passkey, so the step-up door answers STEP_UP_UNAVAILABLE rather than a challenge.
    expect(problemOf(await clinician.call('POST', '/v1/elevations', { role: 'auditor', reason: REASON }))).toEqual([
      403,
      'STEP_UP_UNAVAILABLE',
    ]);
  });
});

describe.each(testDatabases())('time-boxed elevation on $dialect (second-person approval on)', ({ dialect }) => {
  let app: App;
  let clock: ReturnType<typeof manualClock>;
  beforeAll(async () => {
    ({ app, clock } = await buildClockedApp(dialect, {
      access: {
        elevation: { approval: { enabled: true }, maxSeconds: 1200 },
        // Replacing the map replaces every role. Support may both ask and approve here, to prove
        // that nobody approves their own request.
        roles: {
          patient: ['records:read_own', 'grants:manage_own', 'profiles:read', 'messages:use'],
          clinician: ['records:read_granted', 'records:write_granted', 'profiles:read', 'elevation:request', 'messages:use'],
          support: ['accounts:read_masked', 'accounts:manage_access', 'elevation:request', 'elevation:approve', 'alerts:read'],
          admin: [
            'accounts:read_masked',
            'accounts:read_personal',
            'accounts:manage_access',
            'accounts:reset_mfa',
            'roles:manage',
            'elevation:approve',
            'accounts:erase',
            'security:read',
          ],
          auditor: ['audit:read', 'elevation:request'],
        },
      },
    }));
  });
  afterAll(() => app.close());

  it('V8.2.1: approver ≠ requester; nothing is granted before approval; the hour counts from approval', async () => {
    const requesterId = await createAccount(app, ['support']);
    const requester = await signedInDevice(app, requesterId);
    const asked = (await requester.call('POST', '/v1/elevations', { role: 'auditor', reason: REASON })).json<Elevation>();
    expect(asked).toMatchObject({ status: 'pending', durationSeconds: 1200, expiresAt: null });
    expect(problemOf(await requester.call('GET', '/v1/audit/checkpoint'))).toEqual([403, 'RBAC_FORBIDDEN']);
    expect(problemOf(await requester.call('POST', `/v1/admin/elevations/${asked.id}/approve`))).toEqual([
      403,
      'ELEVATION_APPROVER_INVALID',
    ]);

    clock.advance(5 * 60_000);
    const approverId = await createAccount(app, ['support']);
    const approver = await signedInDevice(app, approverId);
    const approved = (await approver.call('POST', `/v1/admin/elevations/${asked.id}/approve`)).json<Elevation>();
    expect(approved).toMatchObject({ status: 'active', approvedBy: approverId });
    expect(Date.parse(approved.expiresAt ?? '')).toBe(clock.now() + 1200_000);
    const holder = await signedInDevice(app, requesterId);
    expect((await holder.call('GET', '/v1/audit/checkpoint')).statusCode).toBe(200);
    clock.advance(1200_000);
    expect(problemOf(await (await signedInDevice(app, requesterId)).call('GET', '/v1/audit/checkpoint'))).toEqual([403, 'RBAC_FORBIDDEN']);

    // An admin elevation approved by a non-admin approver is refused.
    const adminAsk = (
      await (await signedInDevice(app, requesterId)).call('POST', '/v1/elevations', { role: 'admin', reason: REASON })
    ).json<Elevation>();
    const approver2 = await signedInDevice(app, approverId);
    expect(problemOf(await approver2.call('POST', `/v1/admin/elevations/${adminAsk.id}/approve`))).toEqual([
      403,
      'ELEVATION_APPROVER_INVALID',
    ]);
    // Denied requests stay denied.
    expect((await approver2.call('POST', `/v1/admin/elevations/${adminAsk.id}/revoke`)).json<Elevation>().status).toBe('denied');
    const admin = await signedInDevice(app, await createAccount(app, ['admin']));
    expect(problemOf(await admin.call('POST', `/v1/admin/elevations/${adminAsk.id}/approve`))).toEqual([409, 'ELEVATION_NOT_PENDING']);
  });

  it('a request for longer than access.elevation.maxSeconds is refused', async () => {
    const requester = await signedInDevice(app, await createAccount(app, ['support']));
    expect(problemOf(await requester.call('POST', '/v1/elevations', { role: 'auditor', reason: REASON, durationSeconds: 1201 }))).toEqual([
      400,
      'REQUEST_INVALID',
    ]);
  });
});
