/**
 * Roles → permissions (ASVS V8.1.1, V8.2.1): deny by default, union over roles, and no route may
 * declare a permission that no role holds (a typo must stop the server, not open or close a route).
 */
import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import { createRolePermissions } from './permissions.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { loadConfig } from '../../config/load.ts';

describe('createRolePermissions', () => {
  const access = createRolePermissions({ patient: ['records:read_own'], clinician: ['records:read_granted', 'records:write_granted'] });

  it('V8.2.1: an account holds the union of its roles; unknown and prototype-named roles hold nothing', () => {
    expect([...access.permissionsOf(['patient'])]).toEqual(['records:read_own']);
    expect([...access.permissionsOf(['patient', 'clinician'])].sort()).toEqual([
      'records:read_granted',
      'records:read_own',
      'records:write_granted',
    ]);
    expect(access.permissionsOf(['researcher']).size).toBe(0);
    expect(access.permissionsOf(['constructor', '__proto__', 'toString']).size).toBe(0);
    expect(access.permissionsOf([]).size).toBe(0);
  });

  it('caches the set per role combination (no allocation per request)', () => {
    expect(access.permissionsOf(['clinician', 'patient'])).toBe(access.permissionsOf(['patient', 'clinician']));
    expect(access.permissionsOf(['patient'])).toBe(access.permissionsOf(['patient']));
  });

  it('names the roles holding a permission', () => {
    expect(access.rolesHolding('records:read_granted')).toEqual(['clinician']);
    expect(access.rolesHolding('audit:read')).toEqual([]);
  });
});

describe('access.roles defaults (docs/access-control.md)', () => {
  const roles = loadConfig({ overrides: { environment: 'test' } }).config.access.roles;

  it('V8.1.1: defines the five clinic roles, least privilege', () => {
    expect(Object.keys(roles).sort()).toEqual(['admin', 'auditor', 'clinician', 'patient', 'support']);
  });

  it('V8.2.1: support and admins hold no permission on record content; only patients and clinicians do', () => {
    for (const [role, permissions] of Object.entries(roles)) {
      const recordPermissions = permissions.filter((p) => p.startsWith('records:') || p.startsWith('grants:'));
      if (role === 'patient' || role === 'clinician') expect(recordPermissions.length).toBeGreaterThan(0);
      else expect([role, recordPermissions]).toEqual([role, []]);
    }
  });
});

describe('start-up check of declared permissions', () => {
  const routeWith =
    (permission: string): FastifyPluginAsync =>
    async (app) => {
      app.get(
        '/v1/typo',
        { config: { auth: 'aal1', permission, audit: 'none' }, schema: { response: { 200: Type.Object({}) } } },
        async () => ({}),
      );
    };

  it('V8.1.1: refuses to start when a route declares a permission no role holds', async () => {
    await expect(buildTestApp({ plugins: [routeWith('records:raed_own')] })).rejects.toThrow(
      /GET \/v1\/typo declares permission "records:raed_own", which no role in access.roles holds/,
    );
  });

  it('starts when some role holds the permission', async () => {
    const app = await buildTestApp({ plugins: [routeWith('audit:read')] });
    await app.close();
  });

  it('a role table without the permission makes the same route a start-up error', async () => {
    await expect(
      buildTestApp({
        plugins: [routeWith('audit:read')],
        config: {
          access: {
            roles: {
              patient: ['records:read_own', 'grants:manage_own', 'profiles:read', 'messages:use'],
              clinician: ['records:read_granted', 'records:write_granted'],
              auditor: [],
            },
          },
        },
      }),
    ).rejects.toThrow(/audit:read/);
  });
});
