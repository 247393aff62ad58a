/**
 * @module platform/sms/create-sms-sender
 *
 * Chooses the `SmsSender` from configuration: none when SMS codes are switched off
 * (`mfa.smsCodes.enabled: false`), the HTTP adapter when `sms.url` is set, otherwise the
 * development outbox. The outbox is refused in production even if a caller skipped the
 * configuration guards, because it would keep codes and phone numbers readable in the database.
 * The provider token is read here, once, at start (from `sms.tokenFile`, or `sms.token`).
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/schema.ts';
import { createHttpSmsSender } from './http-sms-sender.ts';
import { createOutboxSmsSender, type OutboxSmsSenderDeps } from './outbox-sms-sender.ts';
import type { SmsSender } from './sms-sender.ts';

export type SmsTransport = 'http' | 'outbox';

/** `http` when `sms.url` is set (an empty URL counts as unset), otherwise `outbox`. */
export function smsTransportFor(config: Pick<Config, 'sms'>): SmsTransport {
  return config.sms.url ? 'http' : 'outbox';
}

function providerToken(config: Pick<Config, 'sms'>): string {
  const { token, tokenFile } = config.sms;
  if (tokenFile) {
    try {
      return readFileSync(tokenFile, 'utf8').trim();
    } catch {
      // The path is configuration, not a secret; the file's content never appears in a message.
      throw new TypeError(`sms.tokenFile ${tokenFile} cannot be read`);
    }
  }
  if (token) return token;
  throw new TypeError('sms.url is set but neither sms.tokenFile nor sms.token is');
}

/**
 * @returns The sender, or `null` when SMS codes are disabled.
 * @example
 * const sms = createSmsSender(config, { db: database.db, clock });
 */
export function createSmsSender(config: Pick<Config, 'environment' | 'mfa' | 'sms'>, deps: OutboxSmsSenderDeps): SmsSender | null {
  if (!config.mfa.smsCodes.enabled) return null;
  if (smsTransportFor(config) === 'http' && config.sms.url) {
    return createHttpSmsSender({
      url: config.sms.url,
      token: providerToken(config),
      senderId: config.sms.senderId,
      timeoutMs: config.sms.timeoutMs,
    });
  }
  if (config.environment === 'production') {
    throw new TypeError('sms.url is required in production while mfa.smsCodes is enabled: the outbox would keep codes in the database');
  }
  return createOutboxSmsSender(deps);
}
