/**
 * The development outbox on every database: `send` stores the message with the injected time,
 * `listOutbox` returns the newest first and honours its limit, and `createMailer` uses the
 * outbox only outside production when no SMTP server is configured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createMailer } from './create-mailer.ts';
import { mailTransportFor } from './mailer.ts';
import { OUTBOX_MAX_LIMIT, createOutboxMailer, formatOutboxMessage, listOutbox } from './outbox-mailer.ts';

const T0 = Date.UTC(2025, 2, 4, 5, 6, 7);

function steppingClock(start: number, stepMs: number): { now(): number } {
  let next = start;
  return {
    now: () => {
      const value = next;
      next += stepMs;
      return value;
    },
  };
}

describe.each(testDatabases())('outbox mailer on $dialect', ({ dialect }) => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('stores each message and lists the newest first', async () => {
    app = await buildTestApp({ dialect });
    const { db } = app.portcullis.database;
    const { dataProtection } = app.portcullis;
    const mailer = createOutboxMailer({ db, clock: steppingClock(T0, 1000), dataProtection });
    await mailer.send({ to: 'alice@example.com', subject: 'first', text: 'one\n' });
    await mailer.send({ to: 'bob@example.com', subject: 'second', text: 'two\n' });
    await mailer.send({ to: 'zoë@example.com', subject: 'third – ü', text: 'drei 東京\n' });

    const messages = await listOutbox({ db, dataProtection }, 20);
    expect(messages.map(({ id: _id, ...rest }) => rest)).toEqual([
      { channel: 'email', to: 'zoë@example.com', subject: 'third – ü', text: 'drei 東京\n', createdAt: T0 + 2000 },
      { channel: 'email', to: 'bob@example.com', subject: 'second', text: 'two\n', createdAt: T0 + 1000 },
      { channel: 'email', to: 'alice@example.com', subject: 'first', text: 'one\n', createdAt: T0 },
    ]);
    expect(typeof messages[0]?.createdAt).toBe('number');
    expect(new Set(messages.map((m) => m.id)).size).toBe(3);
  });

  it('returns at most `limit` messages and an empty list for an empty outbox', async () => {
    app = await buildTestApp({ dialect });
    const { db } = app.portcullis.database;
    const { dataProtection } = app.portcullis;
    expect(await listOutbox({ db, dataProtection })).toEqual([]);
    const mailer = createOutboxMailer({ db, clock: steppingClock(T0, 1), dataProtection });
    for (let i = 0; i < 25; i++) await mailer.send({ to: 'alice@example.com', subject: `message ${i}`, text: 'x' });
    expect((await listOutbox({ db, dataProtection })).map((m) => m.subject)).toHaveLength(20);
    expect((await listOutbox({ db, dataProtection }, 2)).map((m) => m.subject)).toEqual(['message 24', 'message 23']);
  });

  it('is the mailer createMailer builds in development and test when no SMTP server is set', async () => {
    app = await buildTestApp({ dialect });
    const { db } = app.portcullis.database;
    const { dataProtection } = app.portcullis;
    for (const environment of ['development', 'test'] as const) {
      const config = { environment, mail: { from: 'Portcullis <no-reply@localhost>' } };
      expect(mailTransportFor(config)).toBe('outbox');
      await createMailer(config, { db, clock: { now: () => T0 }, dataProtection }).send({
        to: 'alice@example.com',
        subject: environment,
        text: 'x',
      });
    }
    expect((await listOutbox({ db, dataProtection })).map((m) => m.subject).sort()).toEqual(['development', 'test']);
  });
});

describe('outbox rules that need no database', () => {
  const db = undefined as never;

  it('createMailer refuses the outbox in production, even with an empty SMTP URL', () => {
    for (const smtpUrl of [undefined, '']) {
      const config = { environment: 'production' as const, mail: { smtpUrl, from: 'x@example.com' } };
      expect(() => createMailer(config, { db, clock: { now: () => 0 }, dataProtection: db })).toThrow(
        /mail\.smtpUrl is required in production/,
      );
    }
  });

  it('listOutbox refuses a limit outside 1..OUTBOX_MAX_LIMIT', async () => {
    for (const limit of [0, -1, 1.5, OUTBOX_MAX_LIMIT + 1, Number.NaN]) {
      await expect(listOutbox({ db, dataProtection: db }, limit)).rejects.toThrow(TypeError);
    }
  });

  it('formats a message for the terminal without passing control characters through', () => {
    const text = formatOutboxMessage({
      id: 'x',
      channel: 'email',
      to: 'alice@example.com',
      subject: 'Hi',
      text: 'line one\n\u001b[2Jline two\ttabbed',
      createdAt: T0,
    });
    expect(text).toBe(
      'To:      alice@example.com\nSubject: Hi\nDate:    2025-03-04T05:06:07.000Z\n\nline one\n\uFFFD[2Jline two\ttabbed\n',
    );
  });
});
