/**
 * The authorization matrix, generated from the route table (ASVS V8.2.1 function-level, V8.2.2
 * data-specific access, V8.3.1 enforcement at the service layer):
 * for every non-public session route in /openapi.json × every clinic role × whose file the
 * request targets (own, granted, not granted, revoked grant), the outcome must follow from the
 * route's declared permission and the ownership rule its name carries:
 *
 * - the role does not hold the permission → 403 RBAC_FORBIDDEN;
 * - `…_own` permissions reach only the caller's own file, `…_granted` ones only files with a
 *   grant in force; any other target → 404 (a file one may not see looks like no file);
 * - routes that target no file (lists, creating a grant) → 2xx in every situation, and no
 *   response ever contains an entry or patient the caller may not see;
 * - routes declaring `none` → never 403 and never 401 for a signed-in person of any role.
 *
 * New routes are covered automatically: a route with a permission but no entry in ROUTE_FIXTURES
 * fails the test by name. A mutation run proves each permission check is load-bearing: with the
 * route contract's check removed (and nothing else), every permission route breaks the matrix.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../app.ts';
import { createLogger } from '../logging/logger.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases, type TestDialect } from '../../test-support/databases.ts';
import {
  CLINIC_ROLES,
  SITUATIONS,
  buildClinicWorld,
  createAccount,
  routeCheckRemovedAuthenticator,
  signedInDevice,
  type Actor,
  type ClinicWorld,
  type FileTarget,
  type Situation,
} from '../../test-support/records-world.ts';
import type { OpenApiDocument } from '../http/openapi.ts';
import { createRolePermissions, type RolePermissions } from './permissions.ts';
import type { Authenticator } from './authentication.ts';
import { insertPendingElevation, insertPendingErasure } from '../../test-support/elevation-fixtures.ts';
import { appendKeyLogFixture, ensureKeyLogSize } from '../../test-support/key-log-fixtures.ts';
import { MlsDevice, newGroupId, recordingKeyLog } from '../../test-support/messaging-world.ts';

interface RouteRow {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  readonly path: string;
  readonly auth: string;
  readonly permission: string;
}

interface MatrixRequest {
  readonly url: string;
  readonly payload?: unknown;
  readonly headers?: Record<string, string>;
}

interface RouteFixture {
  /** `file`: the request names a file, entry or grant (so the situation matters); `self`: it acts on the caller's own data only. */
  readonly targets: 'file' | 'self';
  build(target: FileTarget, world: ClinicWorld): Promise<MatrixRequest> | MatrixRequest;
}

/** The app the fixtures of the running suite write their setup rows to. */
let currentApp: App | undefined;
function fixtureApp(): App {
  if (!currentApp) throw new TypeError('no app for the matrix fixtures');
  return currentApp;
}
/** A fresh clinician outside the matrix, for admin actions that change or end an account's sessions. */
const bystander = (): Promise<string> => createAccount(fixtureApp(), ['clinician']);

/** Each actor's messaging device (its MLS signature key and groups), by account, for the running suite's app. */
const messagingDevices = new Map<string, MlsDevice>();
async function messagingDevice(t: FileTarget, world: ClinicWorld): Promise<{ device: MlsDevice; registered: boolean }> {
  const actor = Object.values(world.actors).find((a) => a.accountId === t.patientId);
  if (!actor) throw new TypeError('messaging fixtures act on the caller’s own account');
  let device = messagingDevices.get(actor.accountId);
  if (!device) {
    device = await MlsDevice.forSession(actor.accountId, actor.device);
    messagingDevices.set(actor.accountId, device);
  }
  // Roles without `messages:use` cannot register: their requests are then built without a device.
  return { device, registered: await device.ensureRegistered(fixtureApp()) };
}
/** A group the caller's device created, when it has a device (else an id nobody uses). */
async function ownGroup(t: FileTarget, world: ClinicWorld): Promise<{ device: MlsDevice; groupId: string; registered: boolean }> {
  const { device, registered } = await messagingDevice(t, world);
  return { device, registered, groupId: registered ? await device.createGroup() : newGroupId() };
}

/** How to build a real request for each route that declares a permission. Add a row with each new such route. */
const ROUTE_FIXTURES: Readonly<Record<string, RouteFixture>> = {
  'GET /v1/records/me/entries': { targets: 'self', build: () => ({ url: '/v1/records/me/entries' }) },
  'GET /v1/records/me/entries/{entryId}': { targets: 'file', build: (t) => ({ url: `/v1/records/me/entries/${t.entryId}` }) },
  'GET /v1/records/grants': { targets: 'self', build: () => ({ url: '/v1/records/grants' }) },
  'POST /v1/records/grants': {
    targets: 'self',
    build: (_t, world) => ({ url: '/v1/records/grants', payload: { granteeAccountId: world.actors.clinician.accountId, scope: 'read' } }),
  },
  'DELETE /v1/records/grants/{grantId}': { targets: 'file', build: async (t) => ({ url: `/v1/records/grants/${await t.freshGrantId()}` }) },
  'GET /v1/records/patients': { targets: 'self', build: () => ({ url: '/v1/records/patients' }) },
  'GET /v1/records/patients/{patientId}/entries': {
    targets: 'file',
    build: (t) => ({ url: `/v1/records/patients/${t.patientId}/entries` }),
  },
  'GET /v1/records/patients/{patientId}/entries/{entryId}': {
    targets: 'file',
    build: (t) => ({ url: `/v1/records/patients/${t.patientId}/entries/${t.entryId}` }),
  },
  'POST /v1/records/patients/{patientId}/entries': {
    targets: 'file',
    build: (t) => ({
      url: `/v1/records/patients/${t.patientId}/entries`,
      payload: { type: 'file-entry', fields: { kind: 'note', note: 'matrix entry' } },
    }),
  },
  // Profiles: the caller's own (every actor saved one); what others see of a profile is walked in profiles.security.test.ts.
  'GET /v1/profiles/{accountId}': { targets: 'self', build: (t) => ({ url: `/v1/profiles/${t.patientId}` }) },
  // The auditor API: lists are filtered to the caller's own entries, so no patient id can appear.
  'GET /v1/audit/entries': { targets: 'self', build: (t) => ({ url: `/v1/audit/entries?actorId=${t.patientId}` }) },
  'GET /v1/audit/checkpoint': { targets: 'self', build: () => ({ url: '/v1/audit/checkpoint' }) },
  'GET /v1/audit/proofs/inclusion': { targets: 'self', build: () => ({ url: '/v1/audit/proofs/inclusion?entryIndex=0&treeSize=1' }) },
  'GET /v1/audit/proofs/consistency': { targets: 'self', build: () => ({ url: '/v1/audit/proofs/consistency?fromSize=1&toSize=2' }) },
  // The key transparency log: the same public tree for everyone who may use messaging.
  'GET /v1/key-log/checkpoint': { targets: 'self', build: () => ({ url: '/v1/key-log/checkpoint' }) },
  'GET /v1/key-log/entries/{index}': {
    targets: 'self',
    // An entry of the caller's own account: entries of people the policy keeps them from are hidden.
    build: async (t) => {
      const index = await appendKeyLogFixture(fixtureApp(), t.patientId);
      return { url: `/v1/key-log/entries/${index}?treeSize=${index + 1}` };
    },
  },
  'GET /v1/key-log/consistency': {
    targets: 'self',
    build: async () => {
      await ensureKeyLogSize(fixtureApp(), 2);
      return { url: '/v1/key-log/consistency?from=1&to=2' };
    },
  },
  'GET /v1/admin/alerts': { targets: 'self', build: () => ({ url: '/v1/admin/alerts' }) },
  'GET /v1/admin/overview': { targets: 'self', build: () => ({ url: '/v1/admin/overview' }) },
  // The admin API acts on accounts outside the matrix (fresh ones, or the scribe), never on an actor.
  'GET /v1/admin/accounts': { targets: 'self', build: () => ({ url: '/v1/admin/accounts?role=auditor&limit=5' }) },
  'GET /v1/admin/accounts/unmasked': { targets: 'self', build: () => ({ url: '/v1/admin/accounts/unmasked?role=auditor&limit=5' }) },
  'GET /v1/admin/accounts/{accountId}': { targets: 'self', build: (_t, world) => ({ url: `/v1/admin/accounts/${world.scribeId}` }) },
  'POST /v1/admin/accounts/{accountId}/lock': {
    targets: 'self',
    build: async () => ({ url: `/v1/admin/accounts/${await bystander()}/lock` }),
  },
  'POST /v1/admin/accounts/{accountId}/unlock': {
    targets: 'self',
    build: async () => ({ url: `/v1/admin/accounts/${await bystander()}/unlock` }),
  },
  'POST /v1/admin/accounts/{accountId}/sign-out': {
    targets: 'self',
    build: async () => ({ url: `/v1/admin/accounts/${await bystander()}/sign-out` }),
  },
  'POST /v1/admin/accounts/{accountId}/mfa/reset': {
    targets: 'self',
    build: async () => ({ url: `/v1/admin/accounts/${await bystander()}/mfa/reset` }),
  },
  'PUT /v1/admin/accounts/{accountId}/roles': {
    targets: 'self',
    build: async () => ({ url: `/v1/admin/accounts/${await bystander()}/roles`, payload: { roles: ['clinician', 'support'] } }),
  },
  // Elevation: the requests name `admin`, which waits for a second admin, so no actor's roles change.
  'POST /v1/elevations': {
    targets: 'self',
    build: () => ({ url: '/v1/elevations', payload: { role: 'admin', reason: 'authorization matrix request' } }),
  },
  'GET /v1/elevations': { targets: 'self', build: () => ({ url: '/v1/elevations' }) },
  'DELETE /v1/elevations/{elevationId}': {
    targets: 'self',
    build: async (t) => ({
      url: `/v1/elevations/${await insertPendingElevation(fixtureApp(), { accountId: t.patientId, role: 'admin' })}`,
    }),
  },
  'GET /v1/admin/elevations': { targets: 'self', build: () => ({ url: '/v1/admin/elevations' }) },
  'GET /v1/admin/elevations/active': { targets: 'self', build: () => ({ url: '/v1/admin/elevations/active' }) },
  'POST /v1/admin/elevations/{elevationId}/approve': {
    targets: 'self',
    build: async () => ({
      url: `/v1/admin/elevations/${await insertPendingElevation(fixtureApp(), { accountId: await bystander(), role: 'auditor' })}/approve`,
    }),
  },
  'POST /v1/admin/elevations/{elevationId}/revoke': {
    targets: 'self',
    build: async () => ({
      url: `/v1/admin/elevations/${await insertPendingElevation(fixtureApp(), { accountId: await bystander(), role: 'auditor' })}/revoke`,
    }),
  },
  // Erasure: requests name a fresh bystander; approvals name a request another admin made, so an actor is never erased.
  'POST /v1/admin/accounts/{accountId}/erasure': {
    targets: 'self',
    build: async () => ({ url: `/v1/admin/accounts/${await bystander()}/erasure`, payload: { reason: 'authorization matrix' } }),
  },
  'GET /v1/admin/erasures': { targets: 'self', build: () => ({ url: '/v1/admin/erasures' }) },
  'POST /v1/admin/erasures/{erasureId}/approve': {
    targets: 'self',
    build: async () => ({
      url: `/v1/admin/erasures/${await insertPendingErasure(fixtureApp(), { accountId: await bystander(), requestedBy: await bystander() })}/approve`,
    }),
  },
  // Messaging: every request acts on the caller's own device; the other party is the scribe, a
  // clinician every actor's file was shared with (so the policy lets patients and clinicians reach them).
  'POST /v1/messaging/devices': {
    targets: 'self',
    build: async (t, world) => {
      const { device, registered } = await messagingDevice(t, world);
      if (registered) await device.call('DELETE', '/v1/messaging/devices/current');
      return { url: '/v1/messaging/devices', payload: { signatureKey: device.signatureKey } };
    },
  },
  'DELETE /v1/messaging/devices/current': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/devices/current' };
    },
  },
  'GET /v1/messaging/accounts/{accountId}/devices': {
    targets: 'self',
    build: (_t, world) => ({ url: `/v1/messaging/accounts/${world.scribeId}/devices` }),
  },
  'POST /v1/messaging/key-packages': {
    targets: 'self',
    build: async (t, world) => {
      const { device } = await messagingDevice(t, world);
      return { url: '/v1/messaging/key-packages', payload: { keyPackages: [(await device.keyPackage()).wire] } };
    },
  },
  'GET /v1/messaging/key-packages/count': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/key-packages/count' };
    },
  },
  'POST /v1/messaging/key-packages/claim': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/key-packages/claim', payload: { accountId: world.scribeId } };
    },
  },
  'POST /v1/messaging/groups': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/groups', payload: { groupId: newGroupId() } };
    },
  },
  'GET /v1/messaging/groups': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/groups' };
    },
  },
  'GET /v1/messaging/groups/{groupId}': {
    targets: 'self',
    build: async (t, world) => ({ url: `/v1/messaging/groups/${(await ownGroup(t, world)).groupId}` }),
  },
  'POST /v1/messaging/groups/{groupId}/commits': {
    targets: 'self',
    build: async (t, world) => {
      const { device, groupId, registered } = await ownGroup(t, world);
      const payload = registered ? (await device.buildCommit(groupId)).body : { commit: 'AAAA', added: [], removed: [] };
      return { url: `/v1/messaging/groups/${groupId}/commits`, payload };
    },
  },
  'POST /v1/messaging/groups/{groupId}/messages': {
    targets: 'self',
    build: async (t, world) => {
      const { device, groupId, registered } = await ownGroup(t, world);
      const message = registered ? await device.seal(groupId, 'authorization matrix message') : 'AAAA';
      return { url: `/v1/messaging/groups/${groupId}/messages`, payload: { message } };
    },
  },
  'GET /v1/messaging/mailbox': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/mailbox?after=0' };
    },
  },
  'POST /v1/messaging/mailbox/ack': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/mailbox/ack', payload: { upTo: 0 } };
    },
  },
  'GET /v1/messaging/events': {
    targets: 'self',
    build: async (t, world) => {
      await messagingDevice(t, world);
      return { url: '/v1/messaging/events' };
    },
  },
  'POST /v1/messaging/groups/{groupId}/attachments': {
    targets: 'self',
    build: async (t, world) => {
      const { groupId } = await ownGroup(t, world);
      return {
        url: `/v1/messaging/groups/${groupId}/attachments`,
        payload: Buffer.from('encrypted attachment bytes'),
        headers: { 'content-type': 'application/octet-stream' },
      };
    },
  },
  'GET /v1/messaging/groups/{groupId}/attachments/{attachmentId}': {
    targets: 'self',
    build: async (t, world) => {
      const { device, groupId, registered } = await ownGroup(t, world);
      if (!registered) return { url: `/v1/messaging/groups/${groupId}/attachments/att_${'A'.repeat(22)}` };
      const stored = await device.upload(groupId, Buffer.from('encrypted attachment bytes'));
      return { url: `/v1/messaging/groups/${groupId}/attachments/${stored.json<{ attachmentId: string }>().attachmentId}` };
    },
  },
};

type Outcome = '2xx' | '403' | '404' | 'not refused';

function expectedOutcome(route: RouteRow, fixture: RouteFixture | undefined, held: ReadonlySet<string>, situation: Situation): Outcome {
  if (route.permission === 'none') return 'not refused';
  if (!held.has(route.permission)) return '403';
  if (fixture?.targets !== 'file') return '2xx';
  if (route.permission.endsWith('_own')) return situation === 'own' ? '2xx' : '404';
  if (route.permission.endsWith('_granted')) return situation === 'granted' ? '2xx' : '404';
  return '2xx';
}

function actualOutcome(response: LightMyRequestResponse, expected: Outcome): string {
  const status = response.statusCode;
  // A string with the Node 22 types; narrowed so the check also compiles with older ones.
  const contentType = response.headers['content-type'];
  const isJson = typeof contentType === 'string' && contentType.includes('json');
  const code = isJson && response.body !== '' ? (JSON.parse(response.body) as { code?: string }).code : undefined;
  if (expected === 'not refused') {
    return status >= 500 || code === 'RBAC_FORBIDDEN' || code === 'AUTH_REQUIRED' ? `${status} ${code ?? ''}` : 'not refused';
  }
  if (status >= 200 && status < 300) return '2xx';
  if (status === 403 && code === 'RBAC_FORBIDDEN') return '403';
  if (status === 404) return '404';
  return `${status} ${code ?? ''}`;
}

async function routeTable(app: App): Promise<RouteRow[]> {
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase() as RouteRow['method'],
      path,
      auth: operation['x-portcullis-auth'] ?? 'missing',
      permission: operation['x-portcullis-permission'] ?? 'missing',
    })),
  );
}

const sessionRoutes = (rows: RouteRow[]) => rows.filter((r) => r.auth !== 'public' && r.auth !== 'client');
const keyOf = (route: RouteRow) => `${route.method} ${route.path}`;
const GENERIC_ID = '00000000-0000-4000-8000-000000000000';

type Sender = (actor: Actor, method: RouteRow['method'], request: MatrixRequest) => Promise<LightMyRequestResponse>;

interface Finding {
  readonly route: string;
  readonly role: string;
  readonly situation: string;
  readonly expected: Outcome;
  readonly actual: string;
  readonly leaked?: string[];
}

/** Runs the matrix for `routes` and returns every cell that differs from the expectation. */
async function runMatrix(
  routes: RouteRow[],
  world: ClinicWorld,
  access: RolePermissions,
  send: Sender,
  fresh: (actor: Actor) => Promise<Actor>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const route of routes) {
    const fixture = ROUTE_FIXTURES[keyOf(route)];
    for (const role of CLINIC_ROLES) {
      const actor = world.actors[role];
      const held = access.permissionsOf([role]);
      // Routes without a file get the role dimension once; file routes get every situation.
      const situations: readonly Situation[] = fixture?.targets === 'file' ? SITUATIONS : ['own'];
      for (const situation of situations) {
        const expected = expectedOutcome(route, fixture, held, situation);
        const request: MatrixRequest = fixture
          ? await fixture.build(world.target(actor, situation), world)
          : { url: route.path.replace(/\{[^}]+\}/g, GENERIC_ID), ...(route.method === 'GET' ? {} : { payload: {} }) };
        // Routes the matrix knows nothing about may end every session of the account (sign out
        // everywhere): each gets a throwaway account of the same role.
        const caller = fixture ? actor : await fresh(actor);
        const response = await send(caller, route.method, request);
        const actual = actualOutcome(response, expected);
        const foreign = world.foreignIds(actor, { own: held.has('records:read_own'), granted: held.has('records:read_granted') });
        const leaked = response.statusCode < 300 ? foreign.filter((id) => response.body.includes(id)) : [];
        if (actual !== expected || leaked.length > 0) {
          findings.push({ route: keyOf(route), role, situation, expected, actual, ...(leaked.length > 0 ? { leaked } : {}) });
        }
      }
    }
  }
  return findings;
}

async function harness(dialect: TestDialect, authenticator?: (app: () => App, access: RolePermissions) => Authenticator) {
  const base = testConfig({ dialect });
  // Event streams end after a second, so the matrix's request for one completes.
  const config = { ...base, messaging: { ...base.messaging, events: { ...base.messaging.events, maxStreamSeconds: 1 } } };
  const access = createRolePermissions(config.access.roles);
  const holder: { app?: App } = {};
  const app = await buildApp(config, {
    logger: createLogger(config),
    keyLog: recordingKeyLog(),
    ...(authenticator
      ? {
          authenticator: authenticator(() => {
            if (!holder.app) throw new TypeError('app not built yet');
            return holder.app;
          }, access),
        }
      : {}),
  });
  holder.app = app;
  currentApp = app;
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  return { app, access };
}

describe.each(testDatabases())('authorization matrix on $dialect', ({ dialect }) => {
  let app: App;
  let access: RolePermissions;
  let world: ClinicWorld;
  let routes: RouteRow[];
  beforeAll(async () => {
    ({ app, access } = await harness(dialect));
    world = await buildClinicWorld(app);
    routes = sessionRoutes(await routeTable(app));
  });
  afterAll(() => app.close());

  it('V8.1.1: every session route declares a permission, and the route table includes the patient-file routes', () => {
    expect(routes.filter((r) => r.permission === 'missing')).toEqual([]);
    expect(routes.map(keyOf)).toEqual(expect.arrayContaining(Object.keys(ROUTE_FIXTURES)));
  });

  it('V8.2.1: every route that declares a permission has a request fixture (new routes cannot skip the matrix)', () => {
    const missing = routes.filter((r) => r.permission !== 'none' && !(keyOf(r) in ROUTE_FIXTURES)).map(keyOf);
    expect(missing, `add these routes to ROUTE_FIXTURES in authorization-matrix.security.test.ts: ${missing.join(', ')}`).toEqual([]);
    const stale = Object.keys(ROUTE_FIXTURES).filter((key) => !routes.some((r) => keyOf(r) === key));
    expect(stale, 'fixtures for routes that no longer exist').toEqual([]);
  });

  it('V8.2.1, V8.2.2, V8.3.1: every route × role × (own, granted, not granted, revoked grant) behaves as its permission says', async () => {
    const send: Sender = (actor, method, request) =>
      actor.device.send({
        method,
        url: request.url,
        payload: request.payload,
        accessToken: actor.device.tokens?.accessToken ?? '',
        ...(request.headers ? { headers: request.headers } : {}),
      });
    const fresh = async (actor: Actor): Promise<Actor> => {
      const accountId = await createAccount(app, [actor.role]);
      return { role: actor.role, accountId, device: await signedInDevice(app, accountId) };
    };
    const findings = await runMatrix(routes, world, access, send, fresh);
    expect(findings).toEqual([]);
  });

  it('V8.2.2: support holds no permission any patient-file or audit-log route declares (account help without record content)', () => {
    const support = access.permissionsOf(['support']);
    const contentRoutes = routes.filter(
      (r) => r.path.startsWith('/v1/records/') || r.path.startsWith('/v1/audit/') || r.path.startsWith('/v1/messaging/'),
    );
    expect(contentRoutes.length).toBeGreaterThan(0);
    expect(contentRoutes.filter((r) => support.has(r.permission)).map(keyOf)).toEqual([]);
    // …while the account-help routes are theirs.
    const helpRoutes = routes.filter((r) => r.path.startsWith('/v1/admin/accounts') && support.has(r.permission)).map(keyOf);
    expect(helpRoutes).toEqual(
      expect.arrayContaining([
        'GET /v1/admin/accounts',
        'POST /v1/admin/accounts/{accountId}/lock',
        'POST /v1/admin/accounts/{accountId}/sign-out',
      ]),
    );
  });
});

describe.each(testDatabases())('messaging is for patients and clinicians only on $dialect', ({ dialect }) => {
  it('V8.2.2: support, admins and auditors hold no permission any messaging route declares; patients and clinicians hold them all', async () => {
    const { app, access } = await harness(dialect);
    try {
      const messaging = sessionRoutes(await routeTable(app)).filter((r) => r.path.startsWith('/v1/messaging/'));
      expect(messaging.length).toBeGreaterThan(0);
      for (const role of ['support', 'admin', 'auditor']) {
        const held = access.permissionsOf([role]);
        expect([role, messaging.filter((r) => held.has(r.permission)).map(keyOf)]).toEqual([role, []]);
      }
      for (const role of ['patient', 'clinician']) {
        const held = access.permissionsOf([role]);
        expect([role, messaging.filter((r) => !held.has(r.permission)).map(keyOf)]).toEqual([role, []]);
      }
    } finally {
      await app.close();
    }
  });
});

describe('the matrix fails when a permission check is removed (mutation run, SQLite)', () => {
  let app: App;
  let access: RolePermissions;
  let world: ClinicWorld;
  let routes: RouteRow[];
  beforeAll(async () => {
    ({ app, access } = await harness('sqlite', routeCheckRemovedAuthenticator));
    world = await buildClinicWorld(app);
    routes = sessionRoutes(await routeTable(app)).filter((r) => r.permission !== 'none');
  });
  afterAll(() => app.close());

  it('V8.3.1: with the route contract’s permission check gone, every permission route shows up as a finding', async () => {
    const send: Sender = (actor, method, request) =>
      app.inject({
        method,
        url: request.url,
        headers: { authorization: `Matrix ${actor.device.tokens?.accessToken ?? ''}`, ...request.headers },
        ...(request.payload === undefined ? {} : { payload: request.payload as Record<string, unknown> }),
      });
    const findings = await runMatrix(routes, world, access, send, (actor) => Promise.resolve(actor));
    const broken = new Set(findings.map((f) => f.route));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.map(keyOf).filter((key) => !broken.has(key))).toEqual([]);
    // Nothing leaks even then: the scoped queries still hold.
    expect(findings.filter((f) => f.leaked)).toEqual([]);
  });
});
