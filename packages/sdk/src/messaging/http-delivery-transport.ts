/**
 * @module messaging/http-delivery-transport
 *
 * The {@link DeliveryTransport} over the Portcullis messaging API: every call is an
 * authenticated request of the signed-in session (access token and DPoP proof), bytes travel as
 * base64url in JSON and attachments as `application/octet-stream`. A `409 EPOCH_CONFLICT` becomes
 * an {@link EpochConflictError} carrying the group's current epoch, so the engine can catch up and
 * retry; every other failure is the usual `ApiError` or `ClientError`.
 */
import type { CoreClient } from '../core/core-client.ts';
import { jsonInit } from '../core/json-request.ts';
import { engineOf, type SessionEngine } from '../core/session-engine.ts';
import { ClientError } from '../errors.ts';
import { errorFromResponse } from '../http/error-from-response.ts';
import { isRecord, readJson } from '../http/read-json.ts';
import { isCount, isNonEmptyString, isString } from '../http/response-shapes.ts';
import { decodeBase64url, encodeBase64url } from '../lib/base64url.ts';
import {
  EpochConflictError,
  type ClaimedKeyPackage,
  type DeliveryTransport,
  type KeyPackageCounts,
  type ListedDevice,
  type MailboxEntry,
  type MailboxEntryKind,
  type RegisteredDevice,
} from './transport.ts';

const MAILBOX_KINDS: readonly MailboxEntryKind[] = ['welcome', 'commit', 'application'];

/** Reads the answer's JSON, or throws the error the answer stands for (an epoch conflict included). */
async function answer(response: Response, context: string): Promise<unknown> {
  if (response.status === 409) {
    const body = await readJson(response.clone()).catch(() => undefined);
    if (isRecord(body) && body['code'] === 'EPOCH_CONFLICT' && isCount(body['currentEpoch'])) {
      throw new EpochConflictError(body['currentEpoch']);
    }
  }
  if (!response.ok) throw await errorFromResponse(response, context);
  return response.status === 204 ? undefined : readJson(response);
}

function invalid(context: string, status: number): ClientError {
  return new ClientError('INVALID_RESPONSE', `The answer to ${context} does not match the protocol`, { status });
}

/** A base64url field of an answer, decoded; undefined when it is missing or malformed. */
function bytesOf(value: unknown): Uint8Array | undefined {
  if (!isString(value)) return undefined;
  try {
    return decodeBase64url(value);
  } catch {
    return undefined;
  }
}

function registeredDeviceOf(body: unknown): RegisteredDevice | undefined {
  if (!isRecord(body)) return undefined;
  const { deviceId, accountId, identity, keyLog } = body;
  const index = isRecord(keyLog) ? keyLog['index'] : undefined;
  if (!isNonEmptyString(deviceId) || !isNonEmptyString(accountId) || !isNonEmptyString(identity) || !isCount(index)) return undefined;
  return { deviceId, accountId, identity, keyLogIndex: index };
}

function countsOf(body: unknown): KeyPackageCounts | undefined {
  if (!isRecord(body) || !isCount(body['oneTime']) || !isCount(body['lastResort'])) return undefined;
  return { oneTime: body['oneTime'], lastResort: body['lastResort'] };
}

function claimedOf(body: unknown): ClaimedKeyPackage[] | undefined {
  if (!isRecord(body) || !Array.isArray(body['keyPackages'])) return undefined;
  const claimed: ClaimedKeyPackage[] = [];
  for (const item of body['keyPackages'] as unknown[]) {
    if (!isRecord(item)) return undefined;
    const keyPackage = bytesOf(item['keyPackage']);
    if (!isNonEmptyString(item['deviceId']) || keyPackage === undefined || !isCount(item['keyLogIndex'])) return undefined;
    claimed.push({ deviceId: item['deviceId'], keyPackage, keyLogIndex: item['keyLogIndex'] });
  }
  return claimed;
}

function devicesOf(body: unknown): ListedDevice[] | undefined {
  if (!isRecord(body) || !Array.isArray(body['devices'])) return undefined;
  const devices: ListedDevice[] = [];
  for (const item of body['devices'] as unknown[]) {
    if (!isRecord(item)) return undefined;
    const signatureKey = bytesOf(item['signatureKey']);
    if (!isNonEmptyString(item['deviceId']) || signatureKey === undefined || !isCount(item['keyLogIndex'])) return undefined;
    devices.push({ deviceId: item['deviceId'], signatureKey, keyLogIndex: item['keyLogIndex'] });
  }
  return devices;
}

function mailboxOf(body: unknown): MailboxEntry[] | undefined {
  if (!isRecord(body) || !Array.isArray(body['entries'])) return undefined;
  const entries: MailboxEntry[] = [];
  for (const item of body['entries'] as unknown[]) {
    if (!isRecord(item)) return undefined;
    const { seq, groupId, kind, sentAt } = item;
    const payload = bytesOf(item['payload']);
    const knownKind = MAILBOX_KINDS.find((k) => k === kind);
    if (!isCount(seq) || !isNonEmptyString(groupId) || knownKind === undefined || payload === undefined || !isString(sentAt))
      return undefined;
    entries.push({ seq, groupId, kind: knownKind, payload, sentAt });
  }
  return entries;
}

/** One JSON call: sends, reads the answer, checks its shape with `parse`. */
async function call<T>(
  session: SessionEngine,
  method: string,
  path: string,
  body: unknown,
  parse: (body: unknown) => T | undefined,
): Promise<T> {
  const response = await session.sendAuthorized(session.transport.url(path), jsonInit(method, body));
  const context = `${method} ${path}`;
  const parsed = parse(await answer(response, context));
  if (parsed === undefined) throw invalid(context, response.status);
  return parsed;
}

const segment = (value: string): string => encodeURIComponent(value);

/**
 * @example
 *   const engine = await createMlsEngine({ transport: createHttpDeliveryTransport(client), verifier, store });
 */
export function createHttpDeliveryTransport(client: CoreClient): DeliveryTransport {
  const session = engineOf(client);
  const nothing = (): true => true;
  return {
    registerDevice: ({ signatureKey }) =>
      call(session, 'POST', '/v1/messaging/devices', { signatureKey: encodeBase64url(signatureKey) }, registeredDeviceOf),
    unregisterDevice: async () => {
      await call(session, 'DELETE', '/v1/messaging/devices/current', undefined, nothing);
    },
    uploadKeyPackages: ({ keyPackages, lastResort }) =>
      call(
        session,
        'POST',
        '/v1/messaging/key-packages',
        { keyPackages: keyPackages.map(encodeBase64url), ...(lastResort === undefined ? {} : { lastResort: encodeBase64url(lastResort) }) },
        countsOf,
      ),
    countKeyPackages: () => call(session, 'GET', '/v1/messaging/key-packages/count', undefined, countsOf),
    claimKeyPackages: (accountId, deviceIds) =>
      call(
        session,
        'POST',
        '/v1/messaging/key-packages/claim',
        { accountId, ...(deviceIds === undefined ? {} : { deviceIds: [...deviceIds] }) },
        claimedOf,
      ),
    createGroup: (groupId) =>
      call(session, 'POST', '/v1/messaging/groups', { groupId }, (body) =>
        isRecord(body) && isNonEmptyString(body['groupId']) && isCount(body['epoch'])
          ? { groupId: body['groupId'], epoch: body['epoch'] }
          : undefined,
      ),
    sendCommit: (groupId, submission) =>
      call(
        session,
        'POST',
        `/v1/messaging/groups/${segment(groupId)}/commits`,
        {
          commit: encodeBase64url(submission.commit),
          ...(submission.welcome === undefined ? {} : { welcome: encodeBase64url(submission.welcome) }),
          added: submission.added,
          removed: submission.removed,
        },
        (body) => (isRecord(body) && isCount(body['epoch']) ? { epoch: body['epoch'] } : undefined),
      ),
    sendMessage: (groupId, message) =>
      call(session, 'POST', `/v1/messaging/groups/${segment(groupId)}/messages`, { message: encodeBase64url(message) }, (body) =>
        isRecord(body) && isCount(body['seq']) ? { seq: body['seq'] } : undefined,
      ),
    fetchMailbox: (after) => call(session, 'GET', `/v1/messaging/mailbox?after=${after}`, undefined, mailboxOf),
    ack: async (upTo) => {
      await call(session, 'POST', '/v1/messaging/mailbox/ack', { upTo }, nothing);
    },
    uploadAttachment: async (groupId, bytes) => {
      const path = `/v1/messaging/groups/${segment(groupId)}/attachments`;
      const init = jsonInit('POST');
      const headers = new Headers(init.headers);
      headers.set('content-type', 'application/octet-stream');
      const response = await session.sendAuthorized(session.transport.url(path), {
        ...init,
        headers,
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      const body = await answer(response, `POST ${path}`);
      if (!isRecord(body) || !isNonEmptyString(body['attachmentId'])) throw invalid(`POST ${path}`, response.status);
      return { attachmentId: body['attachmentId'] };
    },
    downloadAttachment: async (groupId, attachmentId) => {
      const path = `/v1/messaging/groups/${segment(groupId)}/attachments/${segment(attachmentId)}`;
      const response = await session.sendAuthorized(session.transport.url(path), {
        method: 'GET',
        headers: { accept: 'application/octet-stream' },
      });
      if (!response.ok) throw await errorFromResponse(response, `GET ${path}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    listDevices: (accountId) => call(session, 'GET', `/v1/messaging/accounts/${segment(accountId)}/devices`, undefined, devicesOf),
  };
}
