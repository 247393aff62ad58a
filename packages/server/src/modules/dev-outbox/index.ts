/**
 * @module modules/dev-outbox
 *
 * `GET /v1/dev/outbox`: the newest messages of the development mail outbox as JSON, so a
 * developer (or an end-to-end test) can read the verification code the server just "sent".
 * The route is public and returns live one-time codes, so it must exist only in development
 * with the outbox mailer: `app.ts` registers it only when `shouldRegisterDevOutbox(config)` is
 * true. It must never be registered any other way.
 */
import Type from 'typebox';
import type { Config } from '../../config/schema.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { DatabaseHandle } from '../../platform/db/index.ts';
import { OUTBOX_DEFAULT_LIMIT, listOutbox, mailTransportFor } from '../../platform/mailer/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export interface DevOutboxDeps {
  readonly database: DatabaseHandle;
  /** Opens the sealed messages (platform/mailer/outbox-mailer.ts). */
  readonly dataProtection: DataProtection;
}

/**
 * True only in development with no SMTP server configured: the only situation in which the
 * outbox holds messages and exposing it cannot reveal a real user's code.
 */
export function shouldRegisterDevOutbox(config: Pick<Config, 'environment' | 'mail'>): boolean {
  return config.environment === 'development' && mailTransportFor(config) === 'outbox';
}

export const DevOutboxQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: `How many messages, 1 to 100 (default ${OUTBOX_DEFAULT_LIMIT}).` }),
    ),
  },
  { additionalProperties: false },
);

export const DevOutboxMessageSchema = Type.Object(
  {
    id: Type.String(),
    channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
    to: Type.String(),
    subject: Type.String(),
    text: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const DevOutboxResponseSchema = Type.Object(
  { messages: Type.Array(DevOutboxMessageSchema, { description: 'Newest first.' }) },
  { additionalProperties: false },
);

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

export function devOutboxRoutes(deps: DevOutboxDeps) {
  return async function devOutbox(app: RouteApp): Promise<void> {
    app.get(
      '/v1/dev/outbox',
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'none' },
        schema: {
          summary: 'Development mail outbox (development only; never registered in production)',
          tags: ['development'],
          querystring: DevOutboxQuerySchema,
          response: { 200: DevOutboxResponseSchema },
        },
      },
      async (request) => {
        // Live one-time codes: only a browser or tool on this machine may read them, even if a
        // developer binds the listener to 0.0.0.0.
        if (!isLoopback(request.socket.remoteAddress)) throw appError('RBAC_FORBIDDEN', { detail: 'dev outbox is loopback-only' });
        const limit = request.query.limit === undefined ? OUTBOX_DEFAULT_LIMIT : Number(request.query.limit);
        const messages = await listOutbox({ db: deps.database.db, dataProtection: deps.dataProtection }, limit);
        return { messages: messages.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })) };
      },
    );
  };
}
