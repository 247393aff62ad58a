/**
 * @module bench/benchmarks/support/messaging-world
 *
 * Two people in one end-to-end encrypted conversation, set up in a benchmark target through the
 * app's own API, with real MLS (the pinned `ts-mls` and the SDK's cipher suite 1):
 *
 * - a **patient** signs up and verifies their address (`createVerifiedAccount`), signs in with a
 *   password from the device key they verified from, and grants a clinician read access to their
 *   file (`POST /v1/records/grants`), which is what the default messaging policy asks of a
 *   patient and a clinician;
 * - a **clinician** account is written to the database, as staff accounts are provisioned, and
 *   gets a session minted by the sessions module's `issueSession` at `aal2_phr` (what a passkey
 *   sign-in gives; the bench has no authenticator) for a DPoP key of its own;
 * - each session registers its messaging device (`POST /v1/messaging/devices`) with a fresh
 *   Ed25519 signature key; the clinician's device uploads a KeyPackage for its credential;
 * - the patient creates the group (locally and `POST /v1/messaging/groups`), claims the
 *   clinician's KeyPackage and commits their addition with a Welcome
 *   (`POST /v1/messaging/groups/:groupId/commits`), so the group is at epoch 1 with both devices;
 * - the patient seals a pool of application messages for epoch 1 (`mls_private_message`, each
 *   carrying `MESSAGE_BYTES` of content).
 *
 * The fixture hands both sessions (DPoP key and access token) to the runner, as the devices that
 * signed in hold them, with the group id and the sealed messages. Bench-only: a real device
 * never exports its key or its tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  type CiphersuiteImpl,
  type ClientState,
} from 'ts-mls';
import type { App } from '@portcullis/server';
import { createMlsCipherSuite } from '../../../packages/sdk/src/messaging/mls-cipher-suite.js';
import { issueSession } from '../../../packages/server/src/modules/sessions/index.js';
import { jwkThumbprint } from '../../../packages/server/src/platform/crypto/jwk.js';
import { detachedRequestContext } from '../../../packages/server/src/platform/routes/request-context.js';
import { insertAccountRow } from '../../../packages/server/src/test-support/account-rows.js';
import { exportDPoPKey, generateDPoPKey, importDPoPKey, proofFactory, type DPoPKey } from '../../lib/dpop.ts';
import type { Fixture } from '../../lib/types.ts';
import { BENCH_PUBLIC_URL, SIGN_IN_PATH, accountFrom, createVerifiedAccount, deviceKeyFrom, signInBody } from './portcullis.ts';

/** Content bytes of every application message. */
export const MESSAGE_BYTES = 1024;
/** Distinct sealed messages handed to the runner; the server reads only their framing, so they repeat. */
const POOL_SIZE = 64;

/** A signed-in device: its DPoP key and access token. */
export interface HeldSession {
  readonly key: DPoPKey;
  readonly accessToken: string;
}

export interface MessagingWorld {
  readonly patient: HeldSession;
  readonly clinician: HeldSession;
  /** Base64url of the MLS group id, as in the routes' paths. */
  readonly groupId: string;
  /** `mls_private_message` MLSMessages of the patient's device for the group's epoch 1, base64url. */
  readonly messages: readonly string[];
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

/** The server's current DPoP nonce, as the target's own requests learn it. */
let knownNonce: string | undefined;

/** A JSON request of a device over `app.inject`, with a fresh DPoP proof (retried once for a new nonce). */
async function call(
  app: App,
  device: { readonly key: DPoPKey; readonly accessToken?: string },
  method: 'GET' | 'POST',
  url: string,
  payload: object | undefined,
  expectedStatus: number,
): Promise<unknown> {
  const send = () =>
    app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: { ...payload } }),
      headers: {
        ...(device.accessToken === undefined ? {} : { authorization: `DPoP ${device.accessToken}` }),
        dpop: proofFactory(device.key, {
          htm: method,
          htu: BENCH_PUBLIC_URL + url,
          ...(device.accessToken === undefined ? {} : { accessToken: device.accessToken }),
          ...(knownNonce === undefined ? {} : { nonce: knownNonce }),
        })(),
      },
    });
  let response = await send();
  const nonce = response.headers['dpop-nonce'];
  if (response.statusCode === 401 && typeof nonce === 'string' && nonce !== knownNonce) {
    knownNonce = nonce;
    response = await send();
  }
  if (response.statusCode !== expectedStatus) {
    throw new Error(`setup: ${method} ${url} answered ${response.statusCode}, expected ${expectedStatus}: ${response.body.slice(0, 300)}`);
  }
  return response.body === '' ? undefined : (JSON.parse(response.body) as unknown);
}

/** A clinician account, provisioned in the database (no password: staff sign in with passkeys). */
async function insertClinician(app: App): Promise<string> {
  const id = randomUUID();
  const now = app.portcullis.clock.now();
  await insertAccountRow(app, {
    id,
    email: `bench-clinician-${randomBytes(6).toString('hex')}@bench.example`,
    email_verified_at: now,
    password_hash: null,
    password_changed_at: null,
    roles: JSON.stringify(['clinician']),
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  return id;
}

/** A messaging device of a session: registered, with its MLS signature key and credential. */
interface MlsDevice {
  readonly session: HeldSession;
  readonly deviceId: string;
  readonly identity: string;
  readonly signature: { readonly signKey: Uint8Array; readonly publicKey: Uint8Array };
}

async function registerDevice(app: App, impl: CiphersuiteImpl, session: HeldSession): Promise<MlsDevice> {
  const signature = await impl.signature.keygen();
  const registered = (await call(app, session, 'POST', '/v1/messaging/devices', { signatureKey: b64(signature.publicKey) }, 201)) as {
    deviceId: string;
    identity: string;
  };
  return { session, deviceId: registered.deviceId, identity: registered.identity, signature };
}

function keyPackageOf(impl: CiphersuiteImpl, device: MlsDevice) {
  return generateKeyPackageWithKey(
    { credentialType: 'basic', identity: new TextEncoder().encode(device.identity) },
    defaultCapabilities(),
    defaultLifetime,
    [],
    device.signature,
    impl,
  );
}

/** Sets the conversation up (target side); see the module comment. */
export async function messagingWorld(app: App): Promise<MessagingWorld> {
  const impl = await createMlsCipherSuite();

  const account = await createVerifiedAccount(app);
  const patientKey = deviceKeyFrom(account);
  const signedIn = (await call(
    app,
    { key: patientKey },
    'POST',
    SIGN_IN_PATH,
    JSON.parse(signInBody(accountFrom(account))) as object,
    201,
  )) as {
    accessToken: string;
  };
  const patient: HeldSession = { key: patientKey, accessToken: signedIn.accessToken };

  const clinicianId = await insertClinician(app);
  const clinicianKey = generateDPoPKey();
  const tokens = await issueSession(
    app.portcullis.sessions,
    {
      accountId: clinicianId,
      aal: 'aal2_phr',
      amr: ['hwk', 'user'],
      jkt: jwkThumbprint({ kty: 'EC', crv: 'P-256', x: clinicianKey.publicJwk.x, y: clinicianKey.publicJwk.y }),
      device: { label: 'bench clinician device', platform: 'ios' },
    },
    detachedRequestContext(app.portcullis.sessions, { requestId: 'bench-setup', ipPrefix: '127.0.0.0/24' }),
  );
  const clinician: HeldSession = { key: clinicianKey, accessToken: tokens.accessToken };
  await call(app, patient, 'POST', '/v1/records/grants', { granteeAccountId: clinicianId, scope: 'read' }, 201);

  const patientDevice = await registerDevice(app, impl, patient);
  const clinicianDevice = await registerDevice(app, impl, clinician);
  const clinicianPackage = await keyPackageOf(impl, clinicianDevice);
  const keyPackageWire = b64(
    encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: clinicianPackage.publicPackage }),
  );
  await call(app, clinician, 'POST', '/v1/messaging/key-packages', { keyPackages: [keyPackageWire] }, 200);

  const groupId = b64(randomBytes(32));
  const own = await keyPackageOf(impl, patientDevice);
  const created = await createGroup(unb64(groupId), own.publicPackage, own.privatePackage, [], impl);
  await call(app, patient, 'POST', '/v1/messaging/groups', { groupId }, 201);
  const claim = (await call(app, patient, 'POST', '/v1/messaging/key-packages/claim', { accountId: clinicianId }, 200)) as {
    keyPackages: { deviceId: string; keyPackage: string }[];
  };
  const [claimed] = claim.keyPackages;
  const decoded = claimed ? decodeMlsMessage(unb64(claimed.keyPackage), 0)?.[0] : undefined;
  if (!claimed || decoded?.wireformat !== 'mls_key_package') throw new Error('setup: no KeyPackage of the clinician to claim');
  const commit = await createCommit(
    { state: created, cipherSuite: impl },
    { extraProposals: [{ proposalType: 'add', add: { keyPackage: decoded.keyPackage } }], ratchetTreeExtension: true },
  );
  if (!commit.welcome) throw new Error('setup: the commit made no Welcome');
  await call(
    app,
    patient,
    'POST',
    `/v1/messaging/groups/${groupId}/commits`,
    {
      commit: b64(encodeMlsMessage(commit.commit)),
      welcome: b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: commit.welcome })),
      added: [claimed.deviceId],
      removed: [],
    },
    201,
  );

  let state: ClientState = commit.newState;
  const messages: string[] = [];
  for (let n = 0; n < POOL_SIZE; n += 1) {
    const sealed = await createApplicationMessage(state, randomBytes(MESSAGE_BYTES), impl);
    state = sealed.newState;
    messages.push(b64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: sealed.privateMessage })));
  }
  return { patient, clinician, groupId, messages };
}

function sessionText(session: HeldSession): string {
  return JSON.stringify({ key: exportDPoPKey(session.key), accessToken: session.accessToken });
}

function sessionFrom(text: string | undefined): HeldSession {
  if (text === undefined) throw new Error('the target handed over no session');
  const { key, accessToken } = JSON.parse(text) as { key: string; accessToken: string };
  return { key: importDPoPKey(key), accessToken };
}

/** The world as a fixture (target side). */
export function worldFixture(world: MessagingWorld): Fixture {
  return {
    patient: sessionText(world.patient),
    clinician: sessionText(world.clinician),
    groupId: world.groupId,
    messages: JSON.stringify(world.messages),
  };
}

/** The world a target handed over (runner side). */
export function worldFrom(fixture: Fixture): MessagingWorld {
  const { groupId, messages } = fixture;
  if (groupId === undefined || messages === undefined) throw new Error('the target handed over no conversation');
  return {
    patient: sessionFrom(fixture['patient']),
    clinician: sessionFrom(fixture['clinician']),
    groupId,
    messages: JSON.parse(messages) as string[],
  };
}
