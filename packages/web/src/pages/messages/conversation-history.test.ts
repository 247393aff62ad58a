import { describe, expect, it } from 'vitest';
import { MemoryGroupStateStore, type ReceivedMessage } from '@portcullis/sdk/messaging';
import { addKeyWarning, addToHistory, clearKeyWarning, historyItemOf, readHistory, readKeyWarnings } from './conversation-history.ts';

const item = (id: string, text = `text ${id}`) => ({
  id,
  senderAccountId: 'a',
  sentAt: '2026-01-01T00:00:00.000Z',
  text,
  kind: 'text' as const,
});

describe('conversation history kept beside the group state', () => {
  it('keeps every message of a burst, in order, once each', async () => {
    const store = new MemoryGroupStateStore();
    await Promise.all(['1', '2', '3', '2'].map((id) => addToHistory(store, 'g1', item(id))));
    expect((await readHistory(store, 'g1')).map((kept) => kept.id)).toEqual(['1', '2', '3']);
    expect(await readHistory(store, 'other')).toEqual([]);
  });

  it('keeps the newest 500 of a conversation', async () => {
    const store = new MemoryGroupStateStore();
    for (let i = 0; i < 505; i++) await addToHistory(store, 'g1', item(String(i)));
    const kept = await readHistory(store, 'g1');
    expect(kept).toHaveLength(500);
    expect(kept[0]?.id).toBe('5');
  });

  it('keeps a message as text, never as markup, and an attachment by name', () => {
    const base = { groupId: 'g1', seq: 7, sender: { accountId: 'b', deviceId: 'd' }, sentAt: '2026-01-01T00:00:00.000Z' };
    const text = '"><img src=x onerror=alert(1)><script>alert(1)</script>';
    expect(historyItemOf({ ...base, content: { type: 'text', text } } satisfies ReceivedMessage)).toEqual({
      id: '7',
      senderAccountId: 'b',
      sentAt: base.sentAt,
      text,
      kind: 'text',
    });
    const attachment = {
      attachmentId: 'x',
      key: new Uint8Array(32),
      sha256: new Uint8Array(32),
      size: 3,
      mediaType: 'application/pdf',
      name: 'results.pdf',
    };
    expect(historyItemOf({ ...base, content: { type: 'attachment', attachment } })).toMatchObject({
      text: 'results.pdf',
      kind: 'attachment',
    });
  });

  it('keeps one key-change warning per contact until it is cleared', async () => {
    const store = new MemoryGroupStateStore();
    await addKeyWarning(store, { accountId: 'b', groupId: 'g1', at: '1' });
    await addKeyWarning(store, { accountId: 'b', groupId: 'g2', at: '2' });
    await addKeyWarning(store, { accountId: 'c', groupId: 'g1', at: '3' });
    expect(await readKeyWarnings(store)).toEqual([
      { accountId: 'b', groupId: 'g2', at: '2' },
      { accountId: 'c', groupId: 'g1', at: '3' },
    ]);
    await clearKeyWarning(store, 'b');
    expect((await readKeyWarnings(store)).map((w) => w.accountId)).toEqual(['c']);
  });
});
