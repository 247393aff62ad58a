/**
 * SMS outside the HTTP adapter: the development outbox (channel `sms` rows, shown by
 * `GET /v1/dev/outbox` and `portcullis outbox`), the choice of adapter (none when SMS codes are
 * off, the outbox refused in production), the provider token read from its file, and the texts
 * themselves (no links, the code once with its validity, within one SMS segment, and what to do
 * if it was not you).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp, makeTempDir, testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { formatOutboxMessage, listOutbox } from '../mailer/index.ts';
import { createOutboxSmsSender } from './outbox-sms-sender.ts';
import { createSmsSender, smsTransportFor } from './create-sms-sender.ts';
import { phoneVerificationSms, signInCodeSms } from './templates.ts';

const T0 = Date.UTC(2025, 2, 4, 5, 6, 7);

describe.each(testDatabases())('development SMS outbox on $dialect', ({ dialect }) => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('stores texts as channel "sms" rows that the outbox listing, the CLI format and the dev route show', async () => {
    app = await buildTestApp({ dialect, config: { environment: 'development' } });
    const sms = createOutboxSmsSender({
      db: app.portcullis.database.db,
      clock: { now: () => T0 },
      dataProtection: app.portcullis.dataProtection,
    });
    await sms.send({ to: '+447700900123', text: 'Portcullis: 402718 is your sign-in code.' });
    const [message] = await listOutbox({ db: app.portcullis.database.db, dataProtection: app.portcullis.dataProtection }, 1);
    expect(message).toMatchObject({ channel: 'sms', to: '+447700900123', subject: 'Text message (SMS)' });
    expect(formatOutboxMessage(message ?? ({} as never))).toContain('402718');
    const route = await app.inject({ method: 'GET', url: '/v1/dev/outbox', remoteAddress: '127.0.0.1' });
    expect(route.json<{ messages: { channel: string; to: string }[] }>().messages[0]).toMatchObject({
      channel: 'sms',
      to: '+447700900123',
    });
  });
});

describe('choosing the SMS adapter', () => {
  // SMS codes are off by default; these cases are about choosing the adapter once they are on.
  const base = testConfig({ config: { mfa: { smsCodes: { enabled: true } } } });

  it('none when SMS codes are off; the outbox in development and tests; HTTP when a provider URL is set', () => {
    const deps = { db: undefined as never, clock: { now: () => 0 }, dataProtection: undefined as never };
    expect(createSmsSender({ ...base, mfa: { ...base.mfa, smsCodes: { enabled: false } } }, deps)).toBeNull();
    expect(smsTransportFor(base)).toBe('outbox');
    expect(createSmsSender(base, deps)).not.toBeNull();
    const tokenFile = path.join(makeTempDir(), 'sms-token');
    writeFileSync(tokenFile, '  tok_9b1f3c7d5e2a4f60\n');
    const http = { ...base, sms: { ...base.sms, url: 'https://sms.example.com/v1/messages', tokenFile } };
    expect(smsTransportFor(http)).toBe('http');
    expect(createSmsSender(http, deps)).not.toBeNull();
  });

  it('refuses the outbox in production, a token file it cannot read, and a URL without a token (misuse: TypeError)', () => {
    const deps = { db: undefined as never, clock: { now: () => 0 }, dataProtection: undefined as never };
    expect(() => createSmsSender({ ...base, environment: 'production' }, deps)).toThrow(/sms\.url is required in production/);
    const unreadable = { ...base, sms: { ...base.sms, url: 'https://sms.example.com', tokenFile: '/nonexistent/sms-token' } };
    expect(() => createSmsSender(unreadable, deps)).toThrow(/cannot be read/);
    expect(() => createSmsSender({ ...base, sms: { ...base.sms, url: 'https://sms.example.com' } }, deps)).toThrow(/tokenFile/);
  });
});

describe('text message templates', () => {
  const texts = {
    phoneVerification: phoneVerificationSms({ code: '402718', validForMinutes: 10 }),
    signIn: signInCodeSms({ code: '402718', validForMinutes: 5 }),
  };

  it.each(Object.entries(texts))('%s: the code once, its validity, no link, not-you advice, one GSM segment', (_name, text) => {
    expect(text.match(/402718/g)).toHaveLength(1);
    expect(text).toMatch(/Valid (10|5) min\./);
    expect(text).toMatch(/Not you\?/);
    expect(text).toMatch(/Never share it/);
    expect(text).not.toMatch(/https?:|www\.|\.com/i);
    expect(text.length).toBeLessThanOrEqual(160);
    expect(text).toMatch(/^[\x20-\x7e]+$/); // GSM-7-safe ASCII
  });

  it('refuses codes and lifetimes that are programming errors', () => {
    expect(() => signInCodeSms({ code: '12 34', validForMinutes: 5 })).toThrow(TypeError);
    expect(() => phoneVerificationSms({ code: '402718', validForMinutes: 0 })).toThrow(TypeError);
  });
});
