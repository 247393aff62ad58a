/**
 * @module pages/messages/messaging-device
 *
 * This browser as a messaging device of the signed-in account: one MLS engine per account, its
 * keys and group states in an IndexedDB database of that account (sealed at rest by the SDK),
 * every peer credential checked against the key transparency log before anything is encrypted
 * to it. The engine lives as long as the page, so leaving and reopening Messages does not open
 * the same database twice; views subscribe to its events.
 *
 * The log's verifier key is pinned by this browser the first time it opens messages and never
 * taken from the server again; the newest checkpoint this browser verified is kept beside it.
 * Both live in a database of their own that outlasts sessions and is shared by the accounts of
 * this browser (there is one log per deployment), so a server that later swaps the key or
 * rewrites the log is refused. A deployment that ships its key with the app sets it in
 * `PINNED_KEY_LOG_KEY`.
 *
 * A messaging device lives as long as the session that registered it: signing out removes its
 * credential from the key log and from every conversation. So the database is named by account
 * and session, and the databases of this account's ended sessions in this browser are deleted
 * (their keys can open nothing any more; keeping them would only keep secrets at rest).
 */
import { getKeyLogCheckpoint, KeyLogMonitor, keyLogSource } from '@portcullis/sdk/key-transparency';
import {
  checkpointStoreIn,
  createHttpDeliveryTransport,
  createKeyLogVerifier,
  createMlsEngine,
  IndexedDbGroupStateStore,
  type DeliveryTransport,
  type DeviceInfo,
  type E2eeEngine,
  type E2eeEngineEvents,
  type GroupStateStore,
} from '@portcullis/sdk/messaging';
import { client } from '../../client.ts';
import { addKeyWarning, addToHistory, historyItemOf } from './conversation-history.ts';

/** The log's verifier key shipped with this build, if the deployment pins one (`<origin>+<key id>+<base64 key>`). */
const PINNED_KEY_LOG_KEY: string | undefined = undefined;
const PIN_KEY = 'app:key-log-verifier-key';
const KEY_LOG_DATABASE = 'portcullis-key-log';

export interface MessagingDevice {
  readonly accountId: string;
  readonly engine: E2eeEngine;
  readonly store: GroupStateStore;
  readonly device: DeviceInfo;
  readonly transport: DeliveryTransport;
  /**
   * Adds listeners for the engine's events, told after what they report is kept (history, key
   * warnings); returns the function that removes them.
   */
  listen(events: E2eeEngineEvents): () => void;
  /** Encrypts and sends a text, and keeps it in the conversation's history. */
  sendText(groupId: string, text: string): Promise<void>;
}

const devices = new Map<string, Promise<MessagingDevice>>();
const DATABASE_PREFIX = 'portcullis-messaging-';

/** The messaging device of `accountId` in this browser for this session, registered on first use. */
export function messagingDevice(accountId: string, sessionId: string): Promise<MessagingDevice> {
  const databaseName = `${DATABASE_PREFIX}${accountId}-${sessionId}`;
  let device = devices.get(databaseName);
  if (!device) {
    device = openDevice(accountId, databaseName);
    // A failure (offline, no permission) is not remembered: the next open tries again.
    device.catch(() => devices.delete(databaseName));
    devices.set(databaseName, device);
    void forgetEndedSessions(accountId, databaseName);
  }
  return device;
}

/** Deletes this account's messaging databases of earlier sessions (best effort: not every browser lists databases). */
async function forgetEndedSessions(accountId: string, current: string): Promise<void> {
  try {
    for (const { name } of await indexedDB.databases()) {
      if (name?.startsWith(`${DATABASE_PREFIX}${accountId}-`) && name !== current) indexedDB.deleteDatabase(name);
    }
  } catch {
    // Nothing listed: the old databases stay until the browser's site data is cleared.
  }
}

async function pinnedVerifierKey(store: GroupStateStore): Promise<string> {
  if (PINNED_KEY_LOG_KEY) return PINNED_KEY_LOG_KEY;
  const kept = await store.get('meta', PIN_KEY);
  if (kept) return new TextDecoder().decode(kept);
  const { verifierKey } = await getKeyLogCheckpoint(client);
  await store.write([{ op: 'put', ns: 'meta', key: PIN_KEY, value: new TextEncoder().encode(verifierKey) }]);
  return verifierKey;
}

async function openDevice(accountId: string, databaseName: string): Promise<MessagingDevice> {
  const store = new IndexedDbGroupStateStore({ databaseName });
  const keyLog = new IndexedDbGroupStateStore({ databaseName: KEY_LOG_DATABASE });
  const transport = createHttpDeliveryTransport(client);
  const monitor = new KeyLogMonitor({
    verifierKey: await pinnedVerifierKey(keyLog),
    source: keyLogSource(client),
    store: checkpointStoreIn(keyLog),
  });
  const listeners = new Set<E2eeEngineEvents>();
  const engine = await createMlsEngine({
    transport,
    verifier: createKeyLogVerifier({ monitor, transport }),
    store,
    events: {
      onMessage: (message) => {
        void addToHistory(store, message.groupId, historyItemOf(message)).then(() => listeners.forEach((l) => l.onMessage?.(message)));
      },
      onKeyChange: (event) => {
        // Another person's device now signs with another key, or a verified contact's devices
        // changed: warn until the safety number is compared again. A contact's new device is
        // shown as a change of the safety number, not as an alarm.
        const warn = event.accountId !== accountId && (event.kind === 'key-changed' || event.verifiedContactChanged);
        const kept = warn
          ? addKeyWarning(store, { accountId: event.accountId, groupId: event.groupId, at: new Date().toISOString() })
          : Promise.resolve();
        void kept.then(() => listeners.forEach((l) => l.onKeyChange?.(event)));
      },
      onRejected: (rejection) => listeners.forEach((l) => l.onRejected?.(rejection)),
    },
  });
  const device = await engine.createDevice();
  return {
    accountId,
    engine,
    store,
    device,
    transport,
    listen(events) {
      listeners.add(events);
      return () => listeners.delete(events);
    },
    async sendText(groupId, text) {
      await engine.sendText(groupId, text);
      await addToHistory(store, groupId, {
        id: `sent:${crypto.randomUUID()}`,
        senderAccountId: accountId,
        sentAt: new Date().toISOString(),
        text,
        kind: 'text',
      });
    },
  };
}
