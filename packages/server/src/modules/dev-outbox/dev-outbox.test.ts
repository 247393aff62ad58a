/**
 * The development outbox route: it answers with the newest stored messages when registered,
 * declares a sound route contract, and `shouldRegisterDevOutbox` allows it only in development
 * with the outbox mailer, so live codes are never served by a test or production server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Config } from '../../config/schema.ts';
import { createOutboxMailer } from '../../platform/mailer/index.ts';
import type { OpenApiDocument } from '../../platform/http/openapi.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { shouldRegisterDevOutbox } from './index.ts';

const T0 = Date.UTC(2025, 2, 4, 5, 6, 7);

describe.each(testDatabases())('GET /v1/dev/outbox on $dialect', ({ dialect }) => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
  });

  async function appWithMessages(count: number): Promise<App> {
    app = await buildTestApp({ dialect, config: { environment: 'development' } });
    let now = T0;
    const mailer = createOutboxMailer({
      db: app.portcullis.database.db,
      clock: { now: () => (now += 1000) },
      dataProtection: app.portcullis.dataProtection,
    });
    for (let i = 1; i <= count; i++) await mailer.send({ to: `user${i}@example.com`, subject: `Subject ${i}`, text: `Code ${i}\n` });
    return app;
  }

  it('returns the newest messages first, with ISO creation times', async () => {
    const server = await appWithMessages(2);
    const response = await server.inject({ method: 'GET', url: '/v1/dev/outbox' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{ messages: Record<string, unknown>[] }>();
    expect(body.messages.map(({ id: _id, ...rest }) => rest)).toEqual([
      { channel: 'email', to: 'user2@example.com', subject: 'Subject 2', text: 'Code 2\n', createdAt: new Date(T0 + 2000).toISOString() },
      { channel: 'email', to: 'user1@example.com', subject: 'Subject 1', text: 'Code 1\n', createdAt: new Date(T0 + 1000).toISOString() },
    ]);
    expect(body.messages.every((m) => typeof m['id'] === 'string')).toBe(true);
  });

  it('honours ?limit and answers 400 REQUEST_INVALID to a bad one', async () => {
    const server = await appWithMessages(3);
    const limited = await server.inject({ method: 'GET', url: '/v1/dev/outbox?limit=1' });
    expect(limited.json<{ messages: { to: string }[] }>().messages.map((m) => m.to)).toEqual(['user3@example.com']);
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'other=1']) {
      const response = await server.inject({ method: 'GET', url: `/v1/dev/outbox?${query}` });
      expect({ query, status: response.statusCode, code: response.json<{ code: string }>().code }).toEqual({
        query,
        status: 400,
        code: 'REQUEST_INVALID',
      });
    }
  });
});

describe('dev outbox route contract', () => {
  it('declares a public, unaudited route with a response schema and shows it in the API document', async () => {
    const app = await buildTestApp({ config: { environment: 'development' } });
    try {
      const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
      expect(document.paths['/v1/dev/outbox']?.['get']).toMatchObject({
        'x-portcullis-auth': 'public',
        'x-portcullis-permission': 'none',
        'x-portcullis-audit': 'none',
        tags: ['development'],
      });
    } finally {
      await app.close();
    }
  });
});

describe('shouldRegisterDevOutbox', () => {
  const mail = (smtpUrl?: string): Config['mail'] => ({
    from: 'Portcullis <no-reply@localhost>',
    ...(smtpUrl === undefined ? {} : { smtpUrl }),
  });

  it('is true only in development with the outbox mailer', () => {
    expect(shouldRegisterDevOutbox({ environment: 'development', mail: mail() })).toBe(true);
    expect(shouldRegisterDevOutbox({ environment: 'development', mail: mail('') })).toBe(true);
  });

  it.each([
    ['production with SMTP', 'production', 'smtps://u:p@smtp.example.com'],
    ['production without SMTP', 'production', undefined],
    ['test', 'test', undefined],
    ['development with SMTP', 'development', 'smtp://127.0.0.1:1025'],
  ] as const)('is false in %s', (_case, environment, smtpUrl) => {
    expect(shouldRegisterDevOutbox({ environment, mail: mail(smtpUrl) })).toBe(false);
  });

  it('a test-environment app does not serve the outbox', async () => {
    const app = await buildTestApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/v1/dev/outbox' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('dev outbox exposure', () => {
  it('refuses clients that are not on this machine, even in development', async () => {
    const app = await buildTestApp({ config: { environment: 'development' } });
    const remote = await app.inject({ method: 'GET', url: '/v1/dev/outbox', remoteAddress: '192.0.2.10' });
    expect(remote.statusCode).toBe(403);
    const local = await app.inject({ method: 'GET', url: '/v1/dev/outbox', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    await app.close();
  });
});
