/**
 * @module platform/sms
 *
 * Outgoing text messages: the `SmsSender` port, its HTTP (production) and outbox (development)
 * adapters, the choice between them, and the message texts. Never logs a message, a number or
 * the provider's credential: messages carry one-time codes.
 */
export { E164_PATTERN, MAX_SMS_TEXT_LENGTH, SmsDeliveryError, assertSmsMessage } from './sms-sender.ts';
export type { SmsDeliveryFailure, SmsMessage, SmsSender } from './sms-sender.ts';
export { createHttpSmsSender } from './http-sms-sender.ts';
export type { HttpSmsSenderOptions } from './http-sms-sender.ts';
export { SMS_OUTBOX_SUBJECT, createOutboxSmsSender } from './outbox-sms-sender.ts';
export type { OutboxSmsSenderDeps } from './outbox-sms-sender.ts';
export { createSmsSender, smsTransportFor } from './create-sms-sender.ts';
export type { SmsTransport } from './create-sms-sender.ts';
export { phoneVerificationSms, signInCodeSms } from './templates.ts';
export type { SmsCodeParams } from './templates.ts';
