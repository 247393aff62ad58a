/**
 * @module test-support/doc-code/world
 *
 * What the README's code calls that an app writes itself: its screens. A document's program
 * (see `program.ts`) imports these on its first line; in an app they would show a prompt, a QR
 * code or a list. Here they play the person at the keyboard: the code "emailed" to them comes
 * from the development outbox of the server under test (`GET /v1/dev/outbox`, over HTTPS with
 * the development certificate trusted through `NODE_EXTRA_CA_CERTS`, as the README says), and
 * their authenticator app is a real TOTP generator fed with the enrolment's key URI.
 *
 * Runs inside the document's own process; the test passes the server's URL in
 * `PORTCULLIS_DOCS_BASE_URL`.
 */
import { TOTP, URI } from 'otpauth';

const baseUrl = process.env['PORTCULLIS_DOCS_BASE_URL'];

let authenticatorApp: TOTP | undefined;
/** The recovery codes the person wrote down, unused ones first. */
const writtenDown: string[] = [];

/** The app's QR-code screen: the person scans the key URI into their authenticator app. */
export function showQrCode(enrolment: { readonly otpauthUri: string }): void {
  const scanned = URI.parse(enrolment.otpauthUri);
  if (!(scanned instanceof TOTP)) throw new Error('showQrCode: the key URI is not a TOTP key');
  authenticatorApp = scanned;
}

interface OutboxMessage {
  readonly channel: 'email' | 'sms';
  readonly to: string;
  readonly text: string;
}

/** The newest one-time code the development outbox holds for `channel`. */
async function sentCode(channel: OutboxMessage['channel']): Promise<string> {
  if (baseUrl === undefined) throw new Error('PORTCULLIS_DOCS_BASE_URL is not set');
  const response = await fetch(`${baseUrl}/v1/dev/outbox?limit=20`);
  if (!response.ok) throw new Error(`the development outbox answered ${response.status}`);
  const { messages } = (await response.json()) as { messages: OutboxMessage[] };
  for (const message of messages) {
    const code = message.channel === channel ? /\b(\d{6})\b/.exec(message.text)?.[1] : undefined;
    if (code !== undefined) return code;
  }
  throw new Error(`no ${channel} code in the development outbox`);
}

/**
 * The app's prompt. Answers questions about an emailed or texted code, the authenticator app and
 * the recovery codes; any other question is a document asking for something this stand-in
 * cannot know.
 */
export async function askUser(question: string): Promise<string> {
  if (/recovery code/i.test(question)) {
    const code = writtenDown.shift();
    if (code === undefined) throw new Error(`askUser("${question}"): no recovery codes were shown (showRecoveryCodesOnce)`);
    return code;
  }
  if (/authenticator/i.test(question)) {
    if (authenticatorApp === undefined) throw new Error(`askUser("${question}"): no authenticator app was set up (showQrCode)`);
    return authenticatorApp.generate();
  }
  if (/email/i.test(question)) return sentCode('email');
  if (/text/i.test(question)) return sentCode('sms');
  throw new Error(`askUser("${question}"): no scripted answer to this question`);
}

/** The app's one-time display of new recovery codes; the person writes them down. */
export function showRecoveryCodesOnce(codes: readonly string[]): void {
  if (codes.length === 0) throw new Error('showRecoveryCodesOnce: no codes to show');
  writtenDown.splice(0, writtenDown.length, ...codes);
}

/** A line of text on the app's screen. */
export function showHint(text: string): void {
  if (text.trim() === '') throw new Error('showHint: nothing to show');
}
