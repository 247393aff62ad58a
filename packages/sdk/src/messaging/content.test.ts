/**
 * The content inside MLS application messages and the attachment sealing under it: what is
 * encoded decodes to the same thing, malformed content is refused rather than guessed at, and
 * an attachment opens only with its key, hash and size.
 */
import { describe, expect, it } from 'vitest';
import { decodeContent, encodeContent, openAttachment, sealAttachment, type AttachmentReference } from './content.ts';
import { isMessagingError } from './errors.ts';
import { MemoryGroupStateStore } from './group-state-store.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('message content', () => {
  it('round-trips a text and an attachment reference', () => {
    expect(decodeContent(encodeContent({ type: 'text', text: 'Grüße 👋' }))).toEqual({ type: 'text', text: 'Grüße 👋' });
    const attachment: AttachmentReference = {
      attachmentId: 'att_1',
      key: new Uint8Array(32).fill(7),
      sha256: new Uint8Array(32).fill(9),
      size: 12,
      mediaType: 'application/pdf',
    };
    expect(decodeContent(encodeContent({ type: 'attachment', attachment }))).toEqual({ type: 'attachment', attachment });
  });

  it('refuses what it does not understand', () => {
    for (const bad of [
      '',
      'null',
      '[]',
      '{"v":2,"t":"text","text":"x"}',
      '{"v":1,"t":"text"}',
      '{"v":1,"t":"attachment","id":"a","key":"AA","sha256":"AA","size":1,"type":"x"}',
    ]) {
      expect(() => decodeContent(utf8(bad)), bad).toThrow(expect.objectContaining({ code: 'MESSAGE_REJECTED' }));
    }
    expect(() => decodeContent(new Uint8Array([0xff, 0xfe]))).toThrow(expect.objectContaining({ code: 'MESSAGE_REJECTED' }));
  });
});

describe('attachment sealing', () => {
  it('opens with its reference and refuses a changed blob, key or size', async () => {
    const plaintext = utf8('lab results, page 1');
    const sealed = await sealAttachment(plaintext);
    expect(Buffer.from(sealed.blob).includes(Buffer.from(plaintext))).toBe(false);
    const reference: AttachmentReference = {
      attachmentId: 'att_1',
      key: sealed.key,
      sha256: sealed.sha256,
      size: sealed.size,
      mediaType: 'text/plain',
    };
    expect(await openAttachment(sealed.blob, reference)).toEqual(plaintext);

    const flipped = sealed.blob.slice();
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    const integrity = (error: unknown) => isMessagingError(error, 'ATTACHMENT_INTEGRITY');
    await expect(openAttachment(flipped, reference)).rejects.toSatisfy(integrity);
    await expect(openAttachment(sealed.blob, { ...reference, key: new Uint8Array(32) })).rejects.toSatisfy(integrity);
    await expect(openAttachment(sealed.blob, { ...reference, size: plaintext.length + 1 })).rejects.toSatisfy(integrity);
  });

  it('uses a fresh key for every attachment', async () => {
    const a = await sealAttachment(utf8('same'));
    const b = await sealAttachment(utf8('same'));
    expect(a.key).not.toEqual(b.key);
    expect(a.blob).not.toEqual(b.blob);
  });
});

describe('MemoryGroupStateStore', () => {
  it('copies values in and out, replaces on put, and wipes what it replaces or deletes', async () => {
    const store = new MemoryGroupStateStore();
    const value = new Uint8Array([1, 2, 3]);
    await store.write([{ op: 'put', ns: 'groups', key: 'g', value }]);
    value.fill(0);
    const read = await store.get('groups', 'g');
    expect(read).toEqual(new Uint8Array([1, 2, 3]));
    read!.fill(9);
    expect(await store.get('groups', 'g')).toEqual(new Uint8Array([1, 2, 3]));

    await store.write([
      { op: 'put', ns: 'groups', key: 'g', value: new Uint8Array([4]) },
      { op: 'put', ns: 'meta', key: 'cursor', value: new Uint8Array([5]) },
    ]);
    expect(await store.keys('groups')).toEqual(['g']);
    expect(await store.get('groups', 'g')).toEqual(new Uint8Array([4]));
    await store.write([{ op: 'delete', ns: 'groups', key: 'g' }]);
    expect(await store.get('groups', 'g')).toBeUndefined();
    expect(await store.keys('meta')).toEqual(['cursor']);
  });
});
