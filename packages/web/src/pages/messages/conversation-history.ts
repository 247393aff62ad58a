/**
 * @module pages/messages/conversation-history
 *
 * What this browser keeps of its conversations, beside the MLS state in the same sealed store:
 * the messages it decrypted or sent (MLS gives each message once; keeping it is the app's job),
 * and the key changes of contacts it has not yet acknowledged. Writes go one after another, so
 * two messages arriving together both stay.
 */
import type { GroupStateStore, ReceivedMessage } from '@portcullis/sdk/messaging';

/** Messages kept per conversation; older ones drop off. */
const KEPT_PER_CONVERSATION = 500;

export interface HistoryItem {
  readonly id: string;
  readonly senderAccountId: string;
  readonly sentAt: string;
  /** The text, or for an attachment its name. */
  readonly text: string;
  readonly kind: 'text' | 'attachment';
}

/** A contact whose keys changed, until the person compares the safety number again. */
export interface KeyWarning {
  readonly accountId: string;
  readonly groupId: string;
  readonly at: string;
}

const historyKey = (groupId: string) => `app:history:${groupId}`;
const WARNINGS_KEY = 'app:key-warnings';

let writes: Promise<unknown> = Promise.resolve();

/** Runs `change` after every earlier one (read-modify-write of one value at a time). */
function inOrder<T>(change: () => Promise<T>): Promise<T> {
  const run = writes.then(change, change);
  writes = run.catch(() => undefined);
  return run;
}

async function readJson<T>(store: GroupStateStore, key: string, empty: T): Promise<T> {
  const bytes = await store.get('meta', key);
  if (!bytes) return empty;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    return empty;
  }
}

function writeJson(store: GroupStateStore, key: string, value: unknown): Promise<void> {
  return store.write([{ op: 'put', ns: 'meta', key, value: new TextEncoder().encode(JSON.stringify(value)) }]);
}

export function readHistory(store: GroupStateStore, groupId: string): Promise<HistoryItem[]> {
  return readJson<HistoryItem[]>(store, historyKey(groupId), []);
}

export function addToHistory(store: GroupStateStore, groupId: string, item: HistoryItem): Promise<void> {
  return inOrder(async () => {
    const items = await readHistory(store, groupId);
    if (items.some((kept) => kept.id === item.id)) return;
    await writeJson(store, historyKey(groupId), [...items, item].slice(-KEPT_PER_CONVERSATION));
  });
}

/** A decrypted message as a history item (an attachment is kept by name: the web app does not open files). */
export function historyItemOf(message: ReceivedMessage): HistoryItem {
  const { content } = message;
  return {
    id: `${message.seq}`,
    senderAccountId: message.sender.accountId,
    sentAt: message.sentAt,
    text: content.type === 'text' ? content.text : (content.attachment.name ?? 'a file'),
    kind: content.type === 'text' ? 'text' : 'attachment',
  };
}

export function readKeyWarnings(store: GroupStateStore): Promise<KeyWarning[]> {
  return readJson<KeyWarning[]>(store, WARNINGS_KEY, []);
}

export function addKeyWarning(store: GroupStateStore, warning: KeyWarning): Promise<void> {
  return inOrder(async () => {
    const warnings = (await readKeyWarnings(store)).filter((w) => w.accountId !== warning.accountId);
    await writeJson(store, WARNINGS_KEY, [...warnings, warning]);
  });
}

/** The person compared the safety number again (or marked it verified): the warning ends. */
export function clearKeyWarning(store: GroupStateStore, accountId: string): Promise<void> {
  return inOrder(async () => {
    const warnings = (await readKeyWarnings(store)).filter((w) => w.accountId !== accountId);
    await writeJson(store, WARNINGS_KEY, warnings);
  });
}
