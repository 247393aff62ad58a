/**
 * @module messaging/key-log-verifier
 *
 * The engine's {@link CredentialVerifier} backed by the key transparency log: a peer credential
 * `accountId:deviceId` with key K is trusted only when
 *
 * 1. the server lists that device among the account's active devices with exactly key K (a
 *    device signed out or whose session was revoked is not listed, so it is refused), and
 * 2. the log entry the server names for it is proven, against a checkpoint signed by the pinned
 *    log key and consistent with every checkpoint this device saw before, to be the `add` of
 *    exactly this account, device and key (a credential the server made up, or one logged for
 *    another account, is refused — the server cannot slip in a device of its choosing without
 *    publishing it in the log, where the account's own devices and safety numbers expose it).
 *
 * A credential that passed is not asked again for a minute, so a burst of checks (a commit adding
 * several devices, a Welcome with a whole tree) costs one round of proofs.
 */
import { equalBytes } from '../key-transparency/bytes.ts';
import type { KeyLogCheckpointStore, KeyLogMonitor } from '../key-transparency/monitor.ts';
import { parseIdentity, type CredentialVerifier } from './credentials.ts';
import { MessagingError } from './errors.ts';
import type { GroupStateStore } from './group-state-store.ts';
import type { DeliveryTransport } from './transport.ts';

const TRUSTED_FOR_MS = 60_000;

function keyText(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export interface KeyLogVerifierOptions {
  readonly monitor: KeyLogMonitor;
  /** Lists an account's active devices (the engine's transport). */
  readonly transport: Pick<DeliveryTransport, 'listDevices'>;
  /** Milliseconds since the epoch; tests pass their clock. */
  readonly now?: () => number;
}

/**
 * @example
 *   const monitor = new KeyLogMonitor({ verifierKey: PINNED_KEY_LOG_KEY, source: keyLogSource(client), store });
 *   const transport = createHttpDeliveryTransport(client);
 *   const engine = await createMlsEngine({ transport, verifier: createKeyLogVerifier({ monitor, transport }), store });
 */
export function createKeyLogVerifier(options: KeyLogVerifierOptions): CredentialVerifier {
  const now = options.now ?? (() => Date.now());
  const trusted = new Map<string, number>();
  return {
    async verify(identity, signatureKey) {
      const cacheKey = `${identity}\n${keyText(signatureKey)}`;
      const until = trusted.get(cacheKey);
      if (until !== undefined && until > now()) return;
      const device = parseIdentity(identity);
      if (!device) throw new MessagingError('CREDENTIAL_REJECTED', 'a credential identity is not accountId:deviceId');
      const listed = (await options.transport.listDevices(device.accountId)).find((d) => d.deviceId === device.deviceId);
      if (!listed) throw new MessagingError('CREDENTIAL_REJECTED', 'the device is not an active device of the account');
      if (!equalBytes(listed.signatureKey, signatureKey)) {
        throw new MessagingError('CREDENTIAL_REJECTED', 'the credential key is not the key the device registered');
      }
      try {
        await options.monitor.verifyCredential({ index: listed.keyLogIndex, ...device, signatureKey });
      } catch (cause) {
        throw new MessagingError('CREDENTIAL_REJECTED', 'the key transparency log does not prove the credential', { cause });
      }
      trusted.set(cacheKey, now() + TRUSTED_FOR_MS);
    },
  };
}

const CHECKPOINT_KEY = 'key-log-checkpoint';

/**
 * Keeps the key log monitor's latest checkpoint beside the device's group state (in the same
 * store, so in the browser it is sealed at rest like the rest), so that consistency is checked
 * against what this device saw before, across restarts.
 *
 * @example
 *   const store = new IndexedDbGroupStateStore({ databaseName: 'messaging' });
 *   const monitor = new KeyLogMonitor({ verifierKey, source: keyLogSource(client), store: checkpointStoreIn(store) });
 */
export function checkpointStoreIn(store: GroupStateStore): KeyLogCheckpointStore {
  return {
    async load() {
      const bytes = await store.get('meta', CHECKPOINT_KEY);
      return bytes === undefined ? null : new TextDecoder().decode(bytes);
    },
    save: (note) => store.write([{ op: 'put', ns: 'meta', key: CHECKPOINT_KEY, value: new TextEncoder().encode(note) }]),
  };
}
