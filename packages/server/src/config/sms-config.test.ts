/**
 * Configuration of SMS codes and their provider: production refuses SMS codes without a
 * provider (the development outbox would keep codes and numbers in the database), the provider
 * must be reached over https unless it is on loopback, and its bearer token comes from a file
 * (or value), never from the URL. ASVS V13.4.2 (no development settings in production), V12.3.1
 * (TLS for outbound connections), V13.3.1 (secrets kept out of URLs).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, envNameFor, loadConfig } from './load.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  PORTCULLIS_PUBLIC_URL: 'https://auth.example.com',
  PORTCULLIS_HTTP_TLS_MODE: 'upstream',
  DATABASE_URL: 'postgres://portcullis@db.internal/portcullis',
  SMTP_URL: 'smtps://mailer@smtp.example.com:465',
  PORTCULLIS_KEYS_RING_FILE: '/run/secrets/portcullis-keyring.json',
  PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/run/secrets/portcullis-kek.json',
};
const PROVIDER = { PORTCULLIS_SMS_URL: 'https://sms-relay.internal/v1/messages', PORTCULLIS_SMS_TOKEN_FILE: '/run/secrets/sms-token' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('SMS configuration', () => {
  it('email codes are on and SMS codes off by default, with a 5 s provider timeout', () => {
    const { config } = loadConfig();
    expect(config.mfa.emailCodes.enabled).toBe(true);
    expect(config.mfa.smsCodes.enabled).toBe(false);
    expect(config.sms).toEqual({ timeoutMs: 5000 });
    expect(envNameFor(['mfa', 'smsCodes', 'enabled'])).toBe('PORTCULLIS_MFA_SMS_CODES_ENABLED');
  });

  it('production refuses SMS codes without a provider; a provider, or SMS codes off, satisfies it', () => {
    const smsOn = { ...PRODUCTION, PORTCULLIS_MFA_SMS_CODES_ENABLED: 'true' };
    expect(problemsOf(smsOn).join('\n')).toMatch(/sms\.url: required in production while mfa\.smsCodes\.enabled/);
    expect(problemsOf({ ...smsOn, ...PROVIDER })).toEqual([]);
    expect(problemsOf(PRODUCTION)).toEqual([]);
    // Outside production the outbox stands in.
    expect(problemsOf({ NODE_ENV: 'test' })).toEqual([]);
  });

  it('refuses plain http:// off loopback, credentials in the URL, a missing token and two tokens, in any environment', () => {
    const problems = (env: Record<string, string>) => problemsOf({ NODE_ENV: 'test', ...env }).join('\n');
    expect(problems({ ...PROVIDER, PORTCULLIS_SMS_URL: 'http://sms.example.com/send' })).toMatch(/must use https/);
    expect(problems({ ...PROVIDER, PORTCULLIS_SMS_URL: 'http://127.0.0.1:9000/send' })).toBe('');
    expect(problems({ ...PROVIDER, PORTCULLIS_SMS_URL: 'https://u:p@sms.example.com/send' })).toMatch(/must not hold credentials/);
    expect(problems({ ...PROVIDER, PORTCULLIS_SMS_URL: 'not a url' })).toMatch(/must be an https:\/\/ URL/);
    expect(problems({ PORTCULLIS_SMS_URL: 'https://sms.example.com/send' })).toMatch(/tokenFile \(or sms\.token\) is required/);
    expect(problems({ ...PROVIDER, PORTCULLIS_SMS_TOKEN: 'tok_9b1f3c7d5e2a4f60' })).toMatch(/not both/);
  });

  it('warns about an inline token in production, and refuses a malformed sender id', () => {
    const { warnings } = loadConfig({
      env: { ...PRODUCTION, PORTCULLIS_SMS_URL: PROVIDER.PORTCULLIS_SMS_URL, PORTCULLIS_SMS_TOKEN: 'tok_9b1f3c7d5e2a4f60' },
    });
    expect(warnings.join('\n')).toMatch(/prefer sms\.tokenFile/);
    expect(problemsOf({ NODE_ENV: 'test', PORTCULLIS_SMS_SENDER_ID: 'Far too long a sender' }).join('\n')).toMatch(/senderId/);
  });
});
