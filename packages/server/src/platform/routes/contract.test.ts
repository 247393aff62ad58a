/**
 * The route contract is enforced at start-up: a route that does not declare how it is
 * authenticated, authorized and audited — or what it responds — keeps the server from starting.
 * ASVS V8.2.1 (function-level access needs explicit permissions), V2.2.1 (schemas).
 */
import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { routeContractProblems } from './contract.ts';

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
        config: { auth: 'public', permission: 'records:read', audit: 'none' },
        schema: { response },
      }),
    ).toEqual(['a public route cannot require a permission']);
  });

  it('refuses unknown levels and malformed permission or audit names', () => {
    const problems = routeContractProblems({
      method: 'GET',
      url: '/x',
      config: { auth: 'admin' as never, permission: 'Records Read', audit: 'RecordRead' },
      schema: { response },
    });
    expect(problems).toHaveLength(3);
  });

  it('starts when every route declares a sound contract', async () => {
    await expect(
      startWith((app) =>
        app.get(
          '/v1/sound',
          { config: { auth: 'aal2', permission: 'records:read', audit: 'record.read' }, schema: { response } },
          async () => ({
            ok: true,
          }),
        ),
      ),
    ).resolves.toBeUndefined();
  });
});
