/**
 * @module modules/messaging/routes
 *
 * HTTP for the delivery and authentication service of end-to-end encrypted messaging. Every
 * route needs a full session and `messages:use` (by default patients and clinicians only); who
 * may reach whom is the messaging policy, checked by the service (policy.ts). Bodies carry MLS
 * objects as base64url; the commit and message routes accept bodies up to the configured MLS
 * limits (`messaging.maxHandshakeBytes`, `messaging.maxMessageBytes`).
 */
import {
  KeyPackageClaimRequestSchema,
  KeyPackageClaimSchema,
  KeyPackageCountSchema,
  KeyPackageUploadSchema,
  MessagingAccountParamsSchema,
  MessagingApplicationMessageSchema,
  MessagingCommitSchema,
  MessagingDeviceListSchema,
  MessagingDeviceRegisteredSchema,
  MessagingEpochSchema,
  MessagingGroupListSchema,
  MessagingGroupParamsSchema,
  MessagingGroupSchema,
  MessagingGroupSummarySchema,
  MessagingSentSchema,
  NewMessagingDeviceSchema,
  NewMessagingGroupSchema,
} from '@portcullis/protocol';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';
import type { MessagingDeps } from './deps.ts';
import { deregisterCurrentDevice, devicesOf, registerDevice } from './devices.ts';
import { commitToGroup, createGroup, listGroups, readGroup, sendMessage } from './groups.ts';
import { claimKeyPackages, countKeyPackages, uploadKeyPackages } from './key-packages.ts';
import { mailboxRoutes } from './mailbox-routes.ts';

const TAGS = ['messaging'];
const PERMISSION = 'messages:use';

/** A JSON body carrying `bytes` of MLS data as base64url, with room for the rest of the body. */
function bodyLimitFor(bytes: number): number {
  return Math.ceil((bytes * 4) / 3) + 4096;
}

export function messagingRoutes(deps: MessagingDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/messaging/devices',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'messaging.device_registered' },
        schema: {
          summary: 'Register this session’s messaging device (its MLS credential)',
          description:
            'One device per session, and only a session bound to a device key (DPoP). The credential’s `add` entry is appended to the key transparency log in the same transaction; the response names its index. Use `identity` as the MLS BasicCredential identity.',
          tags: TAGS,
          body: NewMessagingDeviceSchema,
          response: { 201: MessagingDeviceRegisteredSchema },
        },
      },
      async (request, reply) => {
        const registered = await registerDevice(deps, principalOf(request), request.body, requestContext(request));
        return reply.code(201).send(registered);
      },
    );

    app.delete(
      '/v1/messaging/devices/current',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'messaging.device_removed' },
        schema: {
          summary: 'Sign this session’s messaging device out',
          description: 'Removes the credential (appending its `remove` entry to the key log), its KeyPackages and undelivered messages.',
          tags: TAGS,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        await deregisterCurrentDevice(deps, principalOf(request), requestContext(request));
        return reply.code(204).send();
      },
    );

    app.get(
      '/v1/messaging/accounts/:accountId/devices',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'List the messaging devices of someone I may talk to',
          description: 'Someone the messaging policy does not let the caller talk to looks like an unknown account (404).',
          tags: TAGS,
          params: MessagingAccountParamsSchema,
          response: { 200: MessagingDeviceListSchema },
        },
      },
      async (request) => ({ devices: await devicesOf(deps, principalOf(request), request.params.accountId) }),
    );

    app.post(
      '/v1/messaging/key-packages',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Upload KeyPackages for this session’s device',
          description:
            'Each must carry the device’s credential (identity `<accountId>:<deviceId>`, the registered signature key) and cipher suite 1, with a valid signature. A new `lastResort` replaces the previous one.',
          tags: TAGS,
          body: KeyPackageUploadSchema,
          response: { 200: KeyPackageCountSchema },
        },
      },
      async (request) => uploadKeyPackages(deps, principalOf(request), request.body),
    );

    app.get(
      '/v1/messaging/key-packages/count',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: { summary: 'How many KeyPackages of this device wait to be claimed', tags: TAGS, response: { 200: KeyPackageCountSchema } },
      },
      async (request) => countKeyPackages(deps, principalOf(request)),
    );

    app.post(
      '/v1/messaging/key-packages/claim',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Claim one KeyPackage for each active device of an account',
          description:
            'A one-time KeyPackage is handed out once; a device with none left hands out its last-resort one. Someone the messaging policy does not let the caller talk to looks like an unknown account (404).',
          tags: TAGS,
          body: KeyPackageClaimRequestSchema,
          response: { 200: KeyPackageClaimSchema },
        },
      },
      async (request) => claimKeyPackages(deps, principalOf(request), request.body.accountId, request.body.deviceIds),
    );

    app.post(
      '/v1/messaging/groups',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Create a conversation (an MLS group) with this device as its only member',
          tags: TAGS,
          body: NewMessagingGroupSchema,
          response: { 201: MessagingGroupSummarySchema },
        },
      },
      async (request, reply) => reply.code(201).send(await createGroup(deps, principalOf(request), request.body)),
    );

    app.get(
      '/v1/messaging/groups',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: { summary: 'List the conversations this device is in', tags: TAGS, response: { 200: MessagingGroupListSchema } },
      },
      async (request) => ({ groups: await listGroups(deps, principalOf(request)) }),
    );

    app.get(
      '/v1/messaging/groups/:groupId',
      {
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Read a conversation’s epoch and member devices',
          description: 'Only for a member device; anyone else gets 404, as for a conversation that does not exist.',
          tags: TAGS,
          params: MessagingGroupParamsSchema,
          response: { 200: MessagingGroupSchema },
        },
      },
      async (request) => readGroup(deps, principalOf(request), request.params.groupId),
    );

    app.post(
      '/v1/messaging/groups/:groupId/commits',
      {
        bodyLimit: bodyLimitFor(deps.config.maxHandshakeBytes),
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Send a commit (and the Welcome of the devices it adds)',
          description:
            'Accepted only for the group’s current epoch; otherwise `409 EPOCH_CONFLICT` with `currentEpoch`. The commit goes to every other member device, the Welcome to each added device; removed devices receive nothing more.',
          tags: TAGS,
          params: MessagingGroupParamsSchema,
          body: MessagingCommitSchema,
          response: { 201: MessagingEpochSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await commitToGroup(deps, principalOf(request), request.params.groupId, request.body)),
    );

    app.post(
      '/v1/messaging/groups/:groupId/messages',
      {
        bodyLimit: bodyLimitFor(deps.config.maxMessageBytes),
        config: { auth: 'aal1', permission: PERMISSION, audit: 'none' },
        schema: {
          summary: 'Send an application message to the other member devices',
          description: 'The message must be for this group and its current epoch (else `409 EPOCH_CONFLICT`).',
          tags: TAGS,
          params: MessagingGroupParamsSchema,
          body: MessagingApplicationMessageSchema,
          response: { 201: MessagingSentSchema },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await sendMessage(deps, principalOf(request), request.params.groupId, request.body.message)),
    );

    await app.register(mailboxRoutes(deps));
  };
}
