/**
 * @module modules/messaging/mailbox-routes
 *
 * HTTP for what a device receives: its mailbox (fetch, acknowledge), the server-sent event stream
 * that announces new entries as they arrive (on any instance: the doorbell rings through Redis
 * when instances share it), and encrypted attachments. Every route needs a full session with a
 * messaging device and `messages:use`.
 */
import {
  AttachmentParamsSchema,
  AttachmentStoredSchema,
  MailboxAckSchema,
  MailboxAckedSchema,
  MailboxListSchema,
  MailboxQuerySchema,
  MessagingGroupParamsSchema,
} from '@portcullis/protocol';
import Type from 'typebox';
import { registerOctetStreamBody, OCTET_STREAM } from '../../platform/http/octet-stream-body.ts';
import { serveEventStream } from '../../platform/realtime/index.ts';
import { principalOf } from '../../platform/routes/request.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';
import { loadAttachment, storeAttachment } from './attachments.ts';
import type { MessagingDeps } from './deps.ts';
import { currentDevice } from './devices.ts';
import { acknowledge, DEFAULT_MAILBOX_PAGE, mailboxEvents, readMailbox } from './mailbox.ts';

const TAGS = ['messaging'];
const PERMISSION = 'messages:use';
/** Entries announced per read of the event stream. */
const EVENT_PAGE = 100;

const EventStreamHeadersSchema = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ pattern: '^[0-9]{1,15}$', description: 'The `seq` of the last event the client handled: the stream resumes after it.' }),
  ),
});

const EventStreamSchema = {
  description:
    'A `text/event-stream`: a `mailbox` event (id = the entry’s `seq`, data = `{"seq","groupId","kind"}`) for each waiting entry, then for each new one as it arrives; comment lines as heartbeats. The stream ends after `messaging.events.maxStreamSeconds`, or as soon as the session is no longer valid; reconnect with `Last-Event-ID`.',
  content: { 'text/event-stream': { schema: Type.String() } },
};

const AttachmentBytesSchema = {
  description: 'The encrypted attachment, as uploaded.',
  content: { [OCTET_STREAM]: { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } },
};

export function mailboxRoutes(deps: MessagingDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    // Open event streams end as the server begins to close, so they do not hold its graceful shutdown.
    const shuttingDown = new AbortController();
    app.addHook('preClose', async () => {
      shuttingDown.abort();
    });

    app.get(
      '/v1/messaging/mailbox',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Fetch what waits in this device’s mailbox',
          description: 'Entries after `after`, oldest first. Process them in order, then acknowledge the last one processed.',
          tags: TAGS,
          querystring: MailboxQuerySchema,
          response: { 200: MailboxListSchema },
        },
      },
      async (request) => ({
        entries: await readMailbox(
          deps,
          principalOf(request),
          Number(request.query.after ?? 0),
          Number(request.query.limit ?? DEFAULT_MAILBOX_PAGE),
        ),
      }),
    );

    app.post(
      '/v1/messaging/mailbox/ack',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Acknowledge mailbox entries',
          description: 'The server deletes this device’s entries up to and including `upTo`.',
          tags: TAGS,
          body: MailboxAckSchema,
          response: { 200: MailboxAckedSchema },
        },
      },
      async (request) => acknowledge(deps, principalOf(request), request.body.upTo),
    );

    app.get(
      '/v1/messaging/events',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Stream new mailbox entries as server-sent events',
          description:
            'Authenticated like every request (access token and DPoP proof), so use `fetch`, not `EventSource`. Announces entries only; fetch their payloads from the mailbox.',
          tags: TAGS,
          headers: EventStreamHeadersSchema,
          response: { 200: EventStreamSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const device = await currentDevice(deps, principal);
        const events = deps.config.events;
        const lastEventId = request.headers['last-event-id'];
        return serveEventStream(request, reply, {
          channel: device.id,
          doorbell: deps.doorbell,
          after: lastEventId,
          readAfter: async (after) =>
            (await mailboxEvents(deps, device.id, Number(after ?? 0), EVENT_PAGE)).map((event) => ({
              id: String(event.seq),
              event: 'mailbox',
              data: JSON.stringify(event),
            })),
          // The session is checked with every heartbeat: a revoked or expired one ends the stream.
          stillAllowed: () =>
            currentDevice(deps, principal).then(
              (current) => current.id === device.id,
              () => false,
            ),
          heartbeatMs: events.heartbeatSeconds * 1000,
          pollMs: events.pollSeconds * 1000,
          maxDurationMs: events.maxStreamSeconds * 1000,
          retryMs: 1000,
          closing: shuttingDown.signal,
          onError: (error) => request.log.warn({ err: error }, 'event stream ended early'),
        });
      },
    );

    await app.register(async (attachments: RouteApp) => {
      registerOctetStreamBody(attachments, { bodyLimitBytes: deps.config.attachments.maxBytes });

      attachments.post(
        '/v1/messaging/groups/:groupId/attachments',
        {
          config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
          schema: {
            summary: 'Upload an encrypted attachment to a conversation',
            description:
              'The body (`application/octet-stream`) is the attachment as the client encrypted it; its key travels only inside the MLS message that shares it. Only member devices may upload; at most `messaging.attachments.maxBytes`.',
            tags: TAGS,
            params: MessagingGroupParamsSchema,
            response: { 201: AttachmentStoredSchema },
          },
        },
        async (request, reply) => {
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          return reply.code(201).send(await storeAttachment(deps, principalOf(request), request.params.groupId, body));
        },
      );

      attachments.get(
        '/v1/messaging/groups/:groupId/attachments/:attachmentId',
        {
          config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
          schema: {
            summary: 'Download an encrypted attachment of a conversation',
            description: 'Member devices only; anyone else gets the same 404 as for a conversation that does not exist.',
            tags: TAGS,
            params: AttachmentParamsSchema,
            response: { 200: AttachmentBytesSchema },
          },
        },
        async (request, reply) => {
          const { groupId, attachmentId } = request.params;
          const content = await loadAttachment(deps, principalOf(request), groupId, attachmentId);
          // Opaque ciphertext: never rendered, never sniffed (nosniff and the API's CSP apply too).
          return reply.type(OCTET_STREAM).header('content-disposition', 'attachment').send(content);
        },
      );
    });
  };
}
