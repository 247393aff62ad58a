/**
 * The route contract is enforced at start-up: a route that does not declare how it is
 * authenticated, authorized and audited — or what it responds — keeps the server from starting.
 * ASVS V8.2.1 (function-level access needs explicit permissions), V2.2.1 (schemas).
 */
import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { enrolmentAllows, routeContractProblems } from './contract.ts';

const response = { 200: Type.Object({ ok: Type.Boolean() }) };

async function startWith(register: (app: FastifyInstance) => void): Promise<void> {
  const app = await buildTestApp({ plugins: [async (instance) => register(instance)] });
  try {
    await app.ready();
  } finally {
    await app.close().catch(() => undefined);
  }
}

describe('route contract (deny by default)', () => {
  it('refuses to start when a route declares no contract, naming the route', async () => {
    await expect(startWith((app) => app.get('/v1/undeclared', { schema: { response } }, async () => ({ ok: true })))).rejects.toThrow(
      /Route GET \/v1\/undeclared breaks the route contract: config\.auth must be one of/,
    );
  });

  it('refuses to start when a route declares authentication but no permission or audit category', async () => {
    await expect(
      startWith((app) => app.get('/v1/partial', { config: { auth: 'aal1' }, schema: { response } }, async () => ({ ok: true }))),
    ).rejects.toThrow(/config\.permission must be .*config\.audit must be/);
  });

  it('refuses to start when a route has no response schema (the allow-list of what it may send)', async () => {
    await expect(
      startWith((app) =>
        app.get('/v1/unschemed', { config: { auth: 'aal1', permission: 'none', audit: 'none' } }, async () => ({ ok: true })),
      ),
    ).rejects.toThrow(/schema\.response must list every response/);
  });

  it('refuses a public route that claims to need a permission', () => {
    expect(
      routeContractProblems({
        method: 'GET',
        url: '/x',
        config: { auth: 'public', permission: 'records:read', audit: 'none', limit: 'none' },
        schema: { response },
      }),
    ).toEqual(['a public route cannot require a permission']);
  });

  it('refuses unknown levels and malformed permission or audit names', () => {
    const problems = routeContractProblems({
      method: 'GET',
      url: '/x',
      config: { auth: 'admin' as never, permission: 'Records Read', audit: 'RecordRead' as never },
      schema: { response },
    });
    expect(problems).toHaveLength(3);
  });

  it('refuses audit actions the catalogue lacks, alone or in a list, and an empty list', () => {
    const problemsWith = (audit: unknown) =>
      routeContractProblems({
        method: 'GET',
        url: '/x',
        config: { auth: 'aal1', permission: 'none', audit: audit as never },
        schema: { response },
      });
    expect(problemsWith('mfa.code_sent')).toEqual(['config.audit names actions missing from the audit catalogue: mfa.code_sent']);
    expect(problemsWith(['mfa.sms_code_sent', 'record.deleted'])).toEqual([
      'config.audit names actions missing from the audit catalogue: record.deleted',
    ]);
    expect(problemsWith([])).toEqual([expect.stringMatching(/^config\.audit must be/)]);
    expect(problemsWith(['mfa.email_code_sent', 'mfa.sms_code_sent'])).toEqual([]);
  });

  it('starts when every route declares a sound contract', async () => {
    await expect(
      startWith((app) =>
        app.get(
          '/v1/sound',
          { config: { auth: 'aal2', permission: 'records:read_own', audit: 'record.read' }, schema: { response } },
          async () => ({
            ok: true,
          }),
        ),
      ),
    ).resolves.toBeUndefined();
  });

  describe('limit (ASVS V2.4.1: every anonymous route states how much of it one network may use)', () => {
    const route = (auth: string, limit: unknown) =>
      routeContractProblems({
        method: 'POST',
        url: '/x',
        config: { auth: auth as never, permission: 'none', audit: 'none', ...(limit === undefined ? {} : { limit: limit as never }) },
        schema: { response },
      });

    it('requires it on public routes, with a known value', () => {
      for (const limit of ['none', 'network', 'network-costly']) expect(route('public', limit)).toEqual([]);
      for (const limit of [undefined, 'per-ip', '', 1]) {
        expect(route('public', limit)).toEqual(['a public route must declare config.limit: none, network, network-costly']);
      }
    });

    it('refuses it on routes for sessions and clients, which have their own budgets', () => {
      expect(route('aal1', 'network')).toEqual(['config.limit applies to public routes only']);
      expect(route('client', 'none')).toEqual(['config.limit applies to public routes only']);
    });

    it('keeps a public route without one from starting', async () => {
      await expect(
        startWith((app) =>
          app.get('/v1/unlimited', { config: { auth: 'public', permission: 'none', audit: 'none' }, schema: { response } }, async () => ({
            ok: true,
          })),
        ),
      ).rejects.toThrow(/Route GET \/v1\/unlimited breaks the route contract: a public route must declare config\.limit/);
    });
  });

  describe('enrolment (ASVS V6.3.3: which restricted sessions a route serves)', () => {
    const route = (auth: string, enrolment: unknown) =>
      routeContractProblems({
        method: 'POST',
        url: '/x',
        config: {
          auth: auth as never,
          permission: 'none',
          audit: 'none',
          enrolment: enrolment as never,
          ...(auth === 'public' ? { limit: 'none' } : {}),
        },
        schema: { response },
      });
    const refusal = 'config.enrolment must be one of any, passkey, totp, phone, on a route for signed-in people';

    it('accepts `any` or a factor on a session route', () => {
      for (const enrolment of ['any', 'passkey', 'totp', 'phone']) expect(route('aal1', enrolment)).toEqual([]);
    });

    it('refuses the old `true`, unknown factors, and public or client routes', () => {
      for (const enrolment of [true, 'sms', '', ['passkey']]) expect(route('aal1', enrolment)).toEqual([refusal]);
      expect(route('public', 'any')).toEqual([refusal]);
      expect(route('client', 'passkey')).toEqual([refusal]);
    });
  });

  describe('enrolmentAllows (which restricted session may call which route)', () => {
    it('lets every restricted session reach `any` routes, and a factor route only a session that may enrol it', () => {
      expect(enrolmentAllows('any', [])).toBe(true);
      expect(enrolmentAllows('passkey', ['passkey'])).toBe(true);
      expect(enrolmentAllows('totp', ['passkey'])).toBe(false);
      expect(enrolmentAllows('phone', ['passkey', 'totp'])).toBe(false);
      expect(enrolmentAllows(undefined, ['passkey', 'totp', 'phone'])).toBe(false);
      expect(enrolmentAllows('totp', ['password'])).toBe(false); // a breached-password session enrols nothing
      expect(enrolmentAllows('password', ['password'])).toBe(true);
    });
  });

  describe('stepUp (ASVS V7.5.3: the declaration that an action needs a fresh authentication)', () => {
    const route = (auth: string, stepUp: unknown) =>
      routeContractProblems({
        method: 'POST',
        url: '/x',
        config: {
          auth: auth as never,
          permission: 'none',
          audit: 'none',
          stepUp: stepUp as never,
          ...(auth === 'public' ? { limit: 'none' } : {}),
        },
        schema: { response },
      });

    it('accepts a level and a maximum age from 0 to 3600 seconds on a session route', () => {
      for (const stepUp of [
        { maxAgeSeconds: 0, level: 'aal2' },
        { maxAgeSeconds: 300, level: 'aal2_phr' },
        { maxAgeSeconds: 3600, level: 'aal2' },
      ]) {
        expect(route('aal1', stepUp)).toEqual([]);
      }
    });

    it('refuses it on public and client routes, where nobody could step up', () => {
      expect(route('public', { maxAgeSeconds: 300, level: 'aal2' })).toEqual(['config.stepUp needs a route for signed-in people']);
      expect(route('client', { maxAgeSeconds: 300, level: 'aal2' })).toEqual(['config.stepUp needs a route for signed-in people']);
    });

    it('refuses a bad maximum age, a level a step-up cannot reach, and unknown settings', () => {
      for (const maxAgeSeconds of [-1, 3601, 1.5, '300', undefined]) {
        expect(route('aal1', { maxAgeSeconds, level: 'aal2' })).toEqual(['config.stepUp.maxAgeSeconds must be an integer from 0 to 3600']);
      }
      for (const level of ['aal1', 'public', undefined]) {
        expect(route('aal1', { maxAgeSeconds: 300, level })).toEqual(['config.stepUp.level must be one of aal2, aal2_phr']);
      }
      expect(route('aal1', { maxAgeSeconds: 300, level: 'aal2', maxAge: 5 })).toEqual(['config.stepUp has unknown settings: maxAge']);
      expect(route('aal1', true)).toHaveLength(2);
    });

    it('refuses to start with an unsound stepUp, naming the route', async () => {
      await expect(
        startWith((app) =>
          app.post(
            '/v1/sloppy',
            {
              config: { auth: 'aal1', permission: 'none', audit: 'none', stepUp: { maxAgeSeconds: 86400, level: 'aal2' } },
              schema: { response },
            },
            async () => ({ ok: true }),
          ),
        ),
      ).rejects.toThrow(/Route POST \/v1\/sloppy breaks the route contract: config\.stepUp\.maxAgeSeconds/);
    });
  });
});
