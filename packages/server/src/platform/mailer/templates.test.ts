/**
 * The message templates: codes only in the body (subjects show on lock screens), validity stated,
 * advice for "it wasn't me", no links, and client-supplied text reduced to one safe line.
 */
import { describe, expect, it } from 'vitest';
import { assertMailMessage } from './mailer.ts';
import {
  emailVerificationMessage,
  newSignInMessage,
  passwordChangedMessage,
  passwordResetMessage,
  signInCodeMessage,
  signUpAttemptMessage,
  toSafeLine,
  type MailTemplate,
} from './templates.ts';

const CODE = '493021';
const AT = new Date(Date.UTC(2025, 2, 4, 5, 6, 7));
const NOT_ME_URL = 'https://auth.example.com/v1/sessions/not-me?t=dn_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

const ALL: Record<string, MailTemplate> = {
  emailVerification: emailVerificationMessage({ code: CODE, validForMinutes: 15 }),
  passwordReset: passwordResetMessage({ code: CODE, validForMinutes: 30 }),
  signInCode: signInCodeMessage({ code: CODE, validForMinutes: 5 }),
  signUpAttempt: signUpAttemptMessage({ passwords: true, passkeys: true, providers: [] }),
  signUpAttemptWithoutPasswords: signUpAttemptMessage({ passwords: false, passkeys: true, providers: ['Apple', 'Google'] }),
  passwordChanged: passwordChangedMessage({ changedAt: AT }),
  newSignIn: newSignInMessage({ signedInAt: AT, device: 'Pixel 8', network: '203.0.113.0/24', notMeUrl: NOT_ME_URL }),
};

describe('mail templates', () => {
  it.each([
    ['email verification', ALL['emailVerification'], '15 minutes'],
    ['password reset', ALL['passwordReset'], '30 minutes'],
    ['sign-in code', ALL['signInCode'], '5 minutes'],
  ])('%s: the code is in the text with its validity, never in the subject', (_name, message, validity) => {
    expect(message?.text).toContain(`    ${CODE}\n`);
    expect(message?.text).toContain(`valid for ${validity}`);
    expect(message?.subject).not.toContain(CODE);
    expect(message?.subject).not.toMatch(/\d{4,}/);
  });

  it('says "1 minute" for a one-minute code', () => {
    expect(emailVerificationMessage({ code: CODE, validForMinutes: 1 }).text).toContain('valid for 1 minute ');
  });

  it.each(Object.entries(ALL))('%s: is a valid plain-text message that says what to do if it was not you', (_name, message) => {
    expect(() => assertMailMessage({ to: 'alice@example.com', ...message })).not.toThrow();
    expect(message.text).toMatch(/If (you did not|it was not you)/);
    // The new-device notice's "this was not me" link is the one link any message carries.
    expect(message.text.replace(`\n${NOT_ME_URL}\n`, '\n')).not.toMatch(/https?:|<a |<\/?[a-z]+>/i);
    expect(message.text.endsWith('\n')).toBe(true);
  });

  it('puts the new-device notice\'s "not me" link alone on its own line, and refuses one that could break it', () => {
    expect(ALL['newSignIn']?.text).toContain(`\n\n${NOT_ME_URL}\n\n`);
    expect(ALL['newSignIn']?.subject).not.toContain('not-me');
    const notice = (notMeUrl: string) => newSignInMessage({ signedInAt: AT, device: 'Pixel 8', notMeUrl });
    expect(() => notice(`${NOT_ME_URL}\nClick here`)).toThrow(TypeError);
    expect(() => notice(`${NOT_ME_URL} more`)).toThrow(TypeError);
    expect(() => notice('javascript:alert(1)')).toThrow(TypeError);
  });

  it('the sign-up attempt notice carries no code and says nothing changed', () => {
    const message = signUpAttemptMessage({ passwords: true, passkeys: false, providers: [] });
    expect(message.text).not.toMatch(/\d{4,}/);
    expect(message.text).toContain('no new account was created');
  });

  it('the sign-up attempt notice suggests only the ways in the deployment offers', () => {
    const text = (ways: Parameters<typeof signUpAttemptMessage>[0]) => signUpAttemptMessage(ways).text.replace(/\s+/g, ' ');
    const withPasswords = text({ passwords: true, passkeys: true, providers: [] });
    expect(withPasswords).toContain('sign in to your existing account instead, with your passkey or your password.');
    expect(withPasswords).toContain('"Forgot password"');
    const passwordless = text({ passwords: false, passkeys: true, providers: ['Apple', 'Google', 'corp'] });
    expect(passwordless).toContain('sign in to your existing account instead, with your passkey or your Apple, Google or corp account.');
    expect(passwordless).not.toMatch(/password/i);
    expect(text({ passwords: false, passkeys: false, providers: ['Google'] })).toContain('instead, with your Google account.');
  });

  it('timed notices state the time in UTC', () => {
    expect(ALL['passwordChanged']?.text).toContain('2025-03-04 05:06 UTC');
    expect(ALL['newSignIn']?.text).toContain('When: 2025-03-04 05:06 UTC\nDevice: Pixel 8\nNetwork: 203.0.113.0/24');
  });

  it('puts a client-chosen device name on one short line of printable text', () => {
    const message = newSignInMessage({
      signedInAt: AT,
      device: 'Phone\r\n\r\nClick here: evil\u202Eexample\u0000' + 'x'.repeat(100),
      notMeUrl: NOT_ME_URL,
    });
    const deviceLine = message.text.split('\n').find((line) => line.startsWith('Device: '));
    expect(deviceLine).toMatch(/^Device: Phone Click here: evil example x+…$/);
    expect(deviceLine?.length).toBe('Device: '.length + 64);
    // eslint-disable-next-line no-control-regex -- asserting that control characters are gone
    expect(message.text).not.toMatch(/[\u0000\u202E\r]/);
    expect(toSafeLine(' \u2066\n ')).toBe('unknown');
  });

  it('truncates between graphemes and keeps joined emoji and scripts intact', () => {
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}';
    expect(toSafeLine(family.repeat(70))).toBe(`${family.repeat(63)}…`);
    expect(toSafeLine('می\u200Cخواهم')).toBe('می\u200Cخواهم');
  });

  it('refuses codes and lifetimes that are programming errors', () => {
    expect(() => emailVerificationMessage({ code: '', validForMinutes: 15 })).toThrow(TypeError);
    expect(() => passwordResetMessage({ code: '12 34\n', validForMinutes: 15 })).toThrow(TypeError);
    expect(() => passwordResetMessage({ code: CODE, validForMinutes: 0 })).toThrow(TypeError);
    expect(() => passwordResetMessage({ code: CODE, validForMinutes: 2.5 })).toThrow(TypeError);
    expect(() => passwordChangedMessage({ changedAt: new Date(Number.NaN) })).toThrow(TypeError);
  });
});
