/**
 * @module bench/benchmarks/messaging-send
 *
 * Messages per second through the server. Both sides run the same app, in SQLite, with the same
 * conversation (support/messaging-world.ts): a patient and a clinician they granted access to
 * their file, each signed in on a device of their own with a registered messaging device, in one
 * MLS group at epoch 1. The patient's device sends, over its DPoP-bound session (one ES256 proof
 * per request, signed before the load), one message per request; the clinician's device is
 * online: the runner holds its event stream open (`GET /v1/messaging/events`, with its own
 * session and proof) and reads it throughout the run.
 *
 * **Delivery** is therefore everything the server does for an online recipient: the message row
 * and the recipient's mailbox entry written in the send's transaction, the recipient's doorbell
 * rung once it committed, and its open event stream woken to read the new mailbox entries and
 * announce them (`event: mailbox`). Before each sample the runner sends one message through the
 * side's route and waits for the stream to announce it, so a side whose delivery does not reach
 * the recipient fails instead of being measured.
 *
 * - **Candidate:** the production route, `POST /v1/messaging/groups/:groupId/messages` with
 *   `{ message }`, a real MLS PrivateMessage (application content of 1,024 bytes, sealed by the
 *   patient's device for the group's current epoch with the pinned `ts-mls` and the SDK's cipher
 *   suite; a pool of 64 is sent in turn; the server reads only the framing, so repeats are
 *   accepted like fresh messages).
 * - **Baseline:** the same delivery for random bytes of the same sizes, without MLS: a bench-only
 *   route of the same shape (`POST /bench/messaging/groups/:groupId/messages`, the same route
 *   contract, body and response schemas and body limit) that runs the messaging module's own
 *   steps — `currentDevice`, `lockGroup`, `activeMembers`, `lockDevices`, `deliver`, the same
 *   doorbell — and leaves out only what the production route reads of MLS: decoding the framing
 *   and checking wire format, content type, group id and epoch.
 *
 * The ratio is what reading MLS framing costs a send; the runner also reports server CPU per
 * message on both sides.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  MessagingApplicationMessageSchema,
  MessagingGroupParamsSchema,
  MessagingSentSchema,
  type MessagingSent,
} from '@portcullis/protocol';
import type { App } from '@portcullis/server';
import type { MessagingDeps } from '../../packages/server/src/modules/messaging/index.js';
import { currentDevice } from '../../packages/server/src/modules/messaging/devices.js';
import { fromBase64Url } from '../../packages/server/src/modules/messaging/mls.js';
import { activeMembers, deliver, lockDevices, lockGroup } from '../../packages/server/src/modules/messaging/repository.js';
import { withTransaction } from '../../packages/server/src/platform/db/index.js';
import { appError } from '../../packages/server/src/platform/errors/app-error.js';
import type { Principal } from '../../packages/server/src/platform/routes/principal.js';
import { principalOf } from '../../packages/server/src/platform/routes/request.js';
import { proofFactory, sendWithNonce } from '../lib/dpop.ts';
import type { Benchmark, HttpWorkload, ListeningTarget, WorkloadContext } from '../lib/types.ts';
import { BENCH_PUBLIC_URL, presignedProofsFor, reportProofCapacity, startPortcullis } from './support/portcullis.ts';
import { messagingWorld, worldFixture, worldFrom, type HeldSession, type MessagingWorld } from './support/messaging-world.ts';

const EVENTS_PATH = '/v1/messaging/events';
/** Well above the rate of either side, so the proof pool covers the whole load. */
const PROOFS_PER_SECOND = 10_000;
/** How long the pre-run message may take to reach the recipient's event stream. */
const DELIVERY_TIMEOUT_MS = 5000;

const candidatePath = (groupId: string): string => `/v1/messaging/groups/${groupId}/messages`;
const baselinePath = (groupId: string): string => `/bench/messaging/groups/${groupId}/messages`;

/** The production route's body limit (`bodyLimitFor` in modules/messaging/routes.ts). */
function bodyLimitFor(bytes: number): number {
  return Math.ceil((bytes * 4) / 3) + 4096;
}

/**
 * `sendMessage` (modules/messaging/groups.ts) without its framing check: the same transaction,
 * locks, membership check, delivery and doorbell, for bytes that are not MLS.
 */
async function sendUnframed(deps: MessagingDeps, principal: Principal, groupId: string, message: string): Promise<MessagingSent> {
  const device = await currentDevice(deps, principal);
  if (fromBase64Url(message).length > deps.config.maxMessageBytes) {
    throw appError('MESSAGING_MESSAGE_TOO_LARGE', { detail: 'over messaging.maxMessageBytes' });
  }
  const woken: string[] = [];
  const sent = await withTransaction(deps.db, async (tx) => {
    const group = await lockGroup(tx, deps.dialect, groupId, 'share');
    if (!group) throw appError('MESSAGING_GROUP_NOT_FOUND', { detail: 'no such group or not a member' });
    const members = await activeMembers(tx, groupId);
    if (!members.some((member) => member.device_id === device.id)) {
      throw appError('MESSAGING_GROUP_NOT_FOUND', { detail: 'no such group or not a member' });
    }
    const recipients = members.map((member) => member.device_id).filter((id) => id !== device.id);
    await lockDevices(tx, deps.dialect, recipients);
    const seq = await deliver(
      tx,
      { group_id: groupId, sender_device_id: device.id, kind: 'application', payload: message, created_at: deps.clock.now() },
      recipients,
    );
    woken.push(...recipients);
    return { seq };
  });
  await Promise.all([...new Set(woken)].map((deviceId) => deps.doorbell.ring(deviceId)));
  return sent;
}

/** The baseline's route, registered in both sides' apps so they differ in nothing else. */
async function unframedSendRoute(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (fastify as unknown as App).portcullis.messaging;
  app.post(
    baselinePath(':groupId'),
    {
      bodyLimit: bodyLimitFor(deps.config.maxMessageBytes),
      config: { auth: 'aal1', permission: 'messages:use', audit: 'none' },
      schema: {
        params: MessagingGroupParamsSchema,
        body: MessagingApplicationMessageSchema,
        response: { 201: MessagingSentSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await sendUnframed(deps, principalOf(request), request.params.groupId, request.body.message)),
  );
}

async function conversationTarget(): Promise<ListeningTarget> {
  return startPortcullis([unframedSendRoute], async (app) => worldFixture(await messagingWorld(app)));
}

function authorized(session: HeldSession, method: string, path: string, nonce: string | undefined): Record<string, string> {
  const proof = proofFactory(session.key, {
    htm: method,
    htu: BENCH_PUBLIC_URL + path,
    accessToken: session.accessToken,
    ...(nonce === undefined ? {} : { nonce }),
  });
  return { authorization: `DPoP ${session.accessToken}`, dpop: proof() };
}

/** The recipient's open event stream (runner side): the highest `seq` it has announced so far. */
interface OpenStream {
  /** Resolves once the stream has announced `seq` (or a later entry); rejects after `timeoutMs`. */
  announced(seq: number, timeoutMs: number): Promise<void>;
}

/** Opens the clinician's event stream and reads it in the background until the target closes it. */
async function openEventStream(url: string, session: HeldSession, knownNonce: string | undefined): Promise<OpenStream> {
  const { response } = await sendWithNonce(
    (nonce) => fetch(url + EVENTS_PATH, { headers: authorized(session, 'GET', EVENTS_PATH, nonce) }),
    knownNonce,
  );
  if (response.status !== 200 || !response.body) {
    throw new Error(`the event stream answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
  let highest = 0;
  let waiters: { seq: number; resolve: () => void }[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let pending = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const lines = (pending + value).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('id: ')) highest = Math.max(highest, Number(line.slice(4)));
      }
      const ready = waiters.filter((waiter) => waiter.seq <= highest);
      waiters = waiters.filter((waiter) => waiter.seq > highest);
      for (const waiter of ready) waiter.resolve();
    }
  })().catch(() => undefined); // the target closed the connection when it stopped
  return {
    announced: (seq, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (seq <= highest) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`the recipient's event stream did not announce seq ${seq} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          seq,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
  };
}

/** Checks the group as the sender sees it; returns the server's DPoP nonce. */
async function checkConversation(url: string, world: MessagingWorld): Promise<string | undefined> {
  const path = `/v1/messaging/groups/${world.groupId}`;
  const { response, nonce } = await sendWithNonce((current) =>
    fetch(url + path, { headers: authorized(world.patient, 'GET', path, current) }),
  );
  const group = (await response.json()) as { epoch?: number; members?: unknown[] };
  if (response.status !== 200 || group.epoch !== 1 || group.members?.length !== 2) {
    throw new Error(`the conversation is not set up (${response.status}: ${JSON.stringify(group).slice(0, 300)})`);
  }
  return nonce;
}

/**
 * The sender's workload (runner side): opens the recipient's event stream, delivers one message
 * through `path` and waits for the stream to announce it, then sends `messages` in turn.
 */
function sendWorkload(pathOf: (groupId: string) => string, bodiesOf: (world: MessagingWorld) => string[]) {
  return async (context: WorkloadContext): Promise<HttpWorkload> => {
    const { url, log } = context;
    reportProofCapacity(log);
    const world = worldFrom(context.fixture);
    const nonce = await checkConversation(url, world);
    const stream = await openEventStream(url, world.clinician, nonce);
    const path = pathOf(world.groupId);
    const bodies = bodiesOf(world).map((message) => JSON.stringify({ message }));
    const headers = { 'content-type': 'application/json' };
    const first = await fetch(url + path, {
      method: 'POST',
      headers: { ...headers, ...authorized(world.patient, 'POST', path, nonce) },
      body: bodies[0] ?? '',
    });
    const sent = (await first.json()) as { seq?: number };
    if (first.status !== 201 || sent.seq === undefined) throw new Error(`${path} answered ${first.status}: ${JSON.stringify(sent)}`);
    await stream.announced(sent.seq, DELIVERY_TIMEOUT_MS);
    const nextProof = presignedProofsFor(
      context,
      world.patient.key,
      { method: 'POST', path, accessToken: world.patient.accessToken, nonce },
      PROOFS_PER_SECOND,
    );
    let sentCount = 0;
    return {
      request: {
        method: 'POST',
        path,
        headers: { ...headers, authorization: `DPoP ${world.patient.accessToken}` },
        body: bodies[0] ?? '',
        expectedStatus: 201,
      },
      perRequestHeaders: () => ({ dpop: nextProof() }),
      perRequestBody: () => bodies[sentCount++ % bodies.length] ?? '',
    };
  };
}

/** Random bytes of the same length as each sealed message. */
function randomOfSameSizes(world: MessagingWorld): string[] {
  return world.messages.map((message) => randomBytes(Buffer.from(message, 'base64url').length).toString('base64url'));
}

export const messagingSend: Benchmark = {
  name: 'messaging-send',
  description:
    'a patient sends a 1 KB MLS PrivateMessage to a clinician (DPoP), delivered to their mailbox and open event stream, vs the same delivery of random bytes of the same size without reading MLS framing',
  target: 0.8,
  sides: {
    candidate: {
      kind: 'http',
      label: 'send MLS PrivateMessage (1 KB)',
      setup: conversationTarget,
      workload: sendWorkload(candidatePath, (world) => [...world.messages]),
    },
    baseline: {
      kind: 'http',
      label: 'send random bytes, no MLS',
      setup: conversationTarget,
      workload: sendWorkload(baselinePath, randomOfSameSizes),
    },
  },
};
